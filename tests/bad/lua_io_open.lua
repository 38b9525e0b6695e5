-- A scenario cannot open files: there is no io library.
local f = io.open("pwned.txt", "w")
f:write("x")
