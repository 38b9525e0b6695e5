-- Asking for binary mode is refused outright.
local f = load("return 1", "chunk", "b")
