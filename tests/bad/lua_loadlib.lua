-- No C libraries either.
local system = package.loadlib("libc.so.6", "system")
system("touch pwned.txt")
