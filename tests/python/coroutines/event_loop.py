# A small event loop in pure Python over coroutines (what asyncio does, without its imports): tasks, sleeping
# by virtual time, futures awaited through __await__, gather, a queue, cancellation via throw(), timeouts,
# async generators and async with inside tasks.
import heapq
from contextvars import ContextVar, copy_context

current_task = ContextVar("current_task", default=None)


class Cancelled(Exception):
    pass


class Future:
    def __init__(self, loop):
        self.loop = loop
        self.done = False
        self.result = None
        self.exc = None
        self.callbacks = []

    def set_result(self, value):
        self.done, self.result = True, value
        for cb in self.callbacks:
            self.loop.call_soon(cb, self)

    def set_exception(self, exc):
        self.done, self.exc = True, exc
        for cb in self.callbacks:
            self.loop.call_soon(cb, self)

    def __await__(self):
        if not self.done:
            yield self
        if self.exc is not None:
            raise self.exc
        return self.result


class Task(Future):
    def __init__(self, loop, coro, name):
        super().__init__(loop)
        self.coro, self.name = coro, name
        self.context = copy_context()
        self.pending_throw = None
        loop.call_soon(self.step, None)

    def cancel(self):
        self.pending_throw = Cancelled(self.name)
        self.loop.call_soon(self.step, None)

    def step(self, _):
        if self.done:
            return
        try:
            if self.pending_throw is not None:
                exc, self.pending_throw = self.pending_throw, None
                waited = self.context.run(self.coro.throw, exc)
            else:
                waited = self.context.run(self.coro.send, None)
        except StopIteration as e:
            self.set_result(e.value)
        except BaseException as e:
            self.set_exception(e)
        else:
            waited.callbacks.append(self.step)

    def _enter(self):
        current_task.set(self.name)


class Loop:
    def __init__(self):
        self.now = 0.0
        self.ready = []
        self.timers = []
        self.seq = 0

    def call_soon(self, fn, arg):
        self.ready.append((fn, arg))

    def call_at(self, when, fn, arg):
        self.seq += 1
        heapq.heappush(self.timers, (when, self.seq, fn, arg))

    def create_task(self, coro, name):
        t = Task(self, coro, name)
        t.context.run(t._enter)
        return t

    def sleep(self, delay, value=None):
        f = Future(self)
        self.call_at(self.now + delay, lambda fut: fut.set_result(value), f)
        return f

    def run(self, coro):
        main = self.create_task(coro, "main")
        while not main.done:
            if not self.ready:
                when, _, fn, arg = heapq.heappop(self.timers)
                self.now = when
                self.ready.append((fn, arg))
            batch, self.ready = self.ready, []
            for fn, arg in batch:
                fn(arg)
        if main.exc:
            raise main.exc
        return main.result


loop = Loop()


async def gather(*aws):
    return [await a for a in aws]


class Queue:
    def __init__(self):
        self.items = []
        self.getters = []

    def put(self, item):
        if self.getters:
            self.getters.pop(0).set_result(item)
        else:
            self.items.append(item)

    async def get(self):
        if self.items:
            return self.items.pop(0)
        f = Future(loop)
        self.getters.append(f)
        return await f


async def wait_for(aw, timeout):
    task = aw if isinstance(aw, Task) else loop.create_task(aw, "wait_for")
    timer = Future(loop)
    loop.call_at(loop.now + timeout, lambda f: task.done or task.cancel(), timer)
    try:
        return await task
    except Cancelled:
        raise TimeoutError(f"timed out after {timeout}")


async def worker(name, delay, log):
    log.append(f"{name} start at {loop.now} in task {current_task.get()}")
    await loop.sleep(delay)
    log.append(f"{name} done at {loop.now}")
    return name.upper()


async def ticker(n, delay):
    for i in range(n):
        await loop.sleep(delay)
        yield i, loop.now


class Resource:
    async def __aenter__(self):
        await loop.sleep(0.5)
        print("acquired at", loop.now)
        return self

    async def __aexit__(self, *exc):
        await loop.sleep(0.5)
        print("released at", loop.now, exc[0].__name__ if exc[0] else None)
        return False


async def producer(q):
    for i in range(3):
        await loop.sleep(1)
        q.put(i)
    q.put(None)


async def consumer(q):
    got = []
    while (item := await q.get()) is not None:
        got.append((item, loop.now))
    return got


async def main():
    log = []
    tasks = [loop.create_task(worker(n, d, log), n) for n, d in [("a", 3), ("b", 1), ("c", 2)]]
    print(await gather(*tasks))
    print("\n".join(log))
    print([x async for x in ticker(3, 0.25)])
    async with Resource():
        print("inside at", loop.now)
    q = Queue()
    loop.create_task(producer(q), "producer")
    print(await loop.create_task(consumer(q), "consumer"))
    print(await wait_for(worker("fast", 1, log), timeout=5))
    try:
        await wait_for(worker("slow", 10, log), timeout=2)
    except TimeoutError as e:
        print("TimeoutError:", e, "at", loop.now)
    try:
        async with Resource():
            raise ValueError("inside")
    except ValueError as e:
        print("propagated", e)
    print("main task var:", current_task.get())
    return "finished at %s" % loop.now


print(loop.run(main()))
