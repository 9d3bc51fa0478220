/* faultguard.h — the fault guard's side inside libinvisible.so (its exports are in invisible.h). */
#ifndef INVISIBLE_FAULTGUARD_H
#define INVISIBLE_FAULTGUARD_H

/* report.c gave the program its own signal dispositions back (end of an attach session): our
 * handler is gone, the next guarded call installs it again in front of what is there then. */
void fault_guard_forget(void);

#endif

