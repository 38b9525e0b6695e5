-- A script that builds nothing.
print("hello")
