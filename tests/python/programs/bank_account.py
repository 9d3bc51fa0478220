class InsufficientFunds(Exception):
    pass
class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []
    def deposit(self, amt):
        if amt <= 0:
            raise ValueError('deposit must be positive')
        self.balance += amt
        self.history.append(('dep', amt))
    def withdraw(self, amt):
        if amt > self.balance:
            raise InsufficientFunds(f'{self.owner}: balance {self.balance} < {amt}')
        self.balance -= amt
        self.history.append(('wd', amt))
a = Account('ann', 100)
a.deposit(50)
a.withdraw(30)
for op in [lambda: a.withdraw(500), lambda: a.deposit(-1)]:
    try:
        op()
    except (InsufficientFunds, ValueError) as e:
        print(type(e).__name__, e)
print(a.balance, a.history)
