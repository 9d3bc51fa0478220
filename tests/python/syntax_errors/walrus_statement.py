# an unparenthesized assignment expression as a statement
n := 10
