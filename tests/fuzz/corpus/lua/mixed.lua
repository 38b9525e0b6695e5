host{name = {1, x = 2}}
