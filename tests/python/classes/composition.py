class Engine:
    def __init__(self, hp):
        self.hp = hp
    def start(self):
        return f"engine {self.hp}hp started"
class Car:
    def __init__(self, name, hp):
        self.name = name
        self.engine = Engine(hp)
    def start(self):
        return f"{self.name}: {self.engine.start()}"
cars = [Car("a", 100), Car("b", 250)]
print([c.start() for c in cars], max(cars, key=lambda c: c.engine.hp).name)
