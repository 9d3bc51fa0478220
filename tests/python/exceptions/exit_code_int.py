print('start')
import sys
print("partial")
sys.exit(42)
