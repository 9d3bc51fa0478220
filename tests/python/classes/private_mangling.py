class Account:
    def __init__(self, balance):
        self.__balance = balance
    def deposit(self, x):
        self.__balance += x
        return self.__balance
    def __secret(self):
        return "secret"
    def reveal(self):
        return self.__secret()
a = Account(10)
print(a.deposit(5), a.reveal(), hasattr(a, "__balance"), a._Account__balance, sorted(vars(a)))
