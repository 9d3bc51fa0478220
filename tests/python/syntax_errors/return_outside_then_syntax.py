# a parse error later in the file is reported before return-outside-function
return 5
x = (1 2)
