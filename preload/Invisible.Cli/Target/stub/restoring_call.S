# restoring_call.S — the code a thread of the target runs for `invisible attach PID`'s remote calls
# (RemoteThread.CallRestoringItself). Its bytes are RemoteThread.StubCode; after a change:
#   as -o /tmp/s.o restoring_call.S && objcopy -O binary -j .text /tmp/s.o /tmp/s.bin && xxd -i /tmp/s.bin
#
# Why it exists: the thread must end up exactly as it was whatever instant the client dies (kill -9),
# and a ptrace tracee whose tracer dies is simply let go with the registers it has. So the call does
# not return to the client: it returns here, and this code puts every register back itself. The client
# writes, before it changes a single register: this code (into the unused tail of libc's last code
# page), the block (below; into the unused tail of libc's last data page, past .bss: the stack would not
# do, the client reads the results after the thread went on), and on the thread's stack, under its red
# zone, a signal frame holding the
# thread's registers and FP/SSE/AVX state as they were. Then rt_sigreturn restores all of it at once
# (general registers, rip, rsp, flags, the xsave state, the signal mask), as after a signal handler.
#
# In:  rdi = the block, rsi = the frame's ucontext (rsp is 16-aligned below it).
# Block (8-byte words): 0 function, 8 arg0, 16 arg1, 24 __errno_location (or 0),
#       32 called when the result is 0 (dlerror, or 0), 40 result, 48 that call's result, 56 done flag.
# Frame: a struct ucontext; uc_link (offset 8) is 1 when the thread was stopped in a system call that
#       the kernel restarts with restart_syscall (ERESTART_RESTARTBLOCK: nanosleep, poll, a futex wait
#       with a timeout): rt_sigreturn would cancel that restart (it sets the restart to "EINTR"), so it is
#       made here first, and its result goes into the frame's rax. (The other restartable cases are
#       rewound by the client in the frame: rip - 2, rax = the system call number, as the kernel does.)
    .intel_syntax noprefix
    .text
    .globl restoring_call
restoring_call:
    mov rbx, rdi                # the block, in callee-saved registers across the calls
    mov r12, rsi                # the ucontext
    xor r13d, r13d              # errno's address, 0 if unknown
    mov rax, [rbx+24]
    test rax, rax
    jz 1f
    call rax                    # __errno_location()
    mov r13, rax
    mov r14d, [rax]             # the thread's errno, put back after the calls
1:  mov rdi, [rbx+8]
    mov rsi, [rbx+16]
    call [rbx]                  # function(arg0, arg1)
    mov [rbx+40], rax
    test rax, rax
    jnz 2f
    mov rax, [rbx+32]
    test rax, rax
    jz 2f
    call rax                    # dlerror() when dlopen returned NULL
    mov [rbx+48], rax
2:  test r13, r13
    jz 3f
    mov [r13], r14d
3:  mov eax, 131                # sigaltstack(NULL, &uc.uc_stack): rt_sigreturn sets it again, unchanged
    xor edi, edi
    lea rsi, [r12+16]
    syscall
    mov eax, 14                 # rt_sigprocmask(SIG_BLOCK, NULL, &uc.uc_sigmask, 8): the mask as it is
    xor edi, edi
    xor esi, esi
    lea rdx, [r12+296]
    mov r10d, 8
    syscall
    mov qword ptr [rbx+56], 1   # done: the client reads the results (nothing below uses the block)
    cmp qword ptr [r12+8], 0
    je 4f
    mov eax, 219                # restart_syscall: the rest of the interrupted sleep, as the kernel would
    syscall
    mov [r12+144], rax          # its result in the frame's rax
4:  mov rsp, r12                # rt_sigreturn reads the frame at rsp - 8 (its return-address slot)
    mov eax, 15
    syscall                     # rt_sigreturn: the thread is back where it was
    ud2
