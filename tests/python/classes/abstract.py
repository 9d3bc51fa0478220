from abc import ABC, abstractmethod
class Base(ABC):
    @abstractmethod
    def run(self):
        pass
    def go(self):
        return "go:" + self.run()
class Impl(Base):
    def run(self):
        return "impl"
print(Impl().go())
try:
    Base()
except TypeError as e:
    print("TypeError:", e)
class Partial(Base):
    pass
try:
    Partial()
except TypeError as e:
    print("TypeError:", e)
