# a set-like element inside a dict display
config = {"a": 1, "b"}
