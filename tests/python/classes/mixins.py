class JsonMixin:
    def to_json(self):
        import json
        return json.dumps(self.__dict__, sort_keys=True)
class ReprMixin:
    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"
class User(JsonMixin, ReprMixin):
    def __init__(self, name, age):
        self.name = name
        self.age = age
u = User("ann", 30)
print(u, u.to_json(), [c.__name__ for c in User.__mro__])
