class EventBus:
    def __init__(self):
        self.handlers = {}
    def on(self, event):
        def deco(fn):
            self.handlers.setdefault(event, []).append(fn)
            return fn
        return deco
    def emit(self, event, *args):
        return [h(*args) for h in self.handlers.get(event, [])]
bus = EventBus()
@bus.on('greet')
def hello(name):
    return f'hello {name}'
@bus.on('greet')
def hi(name):
    return f'hi {name}'
print(bus.emit('greet', 'bob'), bus.emit('none'))
