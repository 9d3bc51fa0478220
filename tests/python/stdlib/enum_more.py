from enum import Enum, IntEnum
class Status(Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    def label(self):
        return self.value.title()
print(Status("active"), Status.ACTIVE.label(), [s.value for s in Status], Status.ACTIVE != Status.INACTIVE)
print(Status.__members__.keys() if False else sorted(Status.__members__), isinstance(Status.ACTIVE, Status))
d = {Status.ACTIVE: 1}
print(d[Status.ACTIVE], Status["INACTIVE"].name)
