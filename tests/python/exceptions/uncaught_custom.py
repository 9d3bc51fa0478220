class AppError(Exception):
    pass
def run():
    raise AppError("application failed")
print("starting")
run()
