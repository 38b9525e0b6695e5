-- An address differs from run to run: %p is refused.
print(string.format("%p", {}))
