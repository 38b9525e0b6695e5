host{name="a" interfaces=1
