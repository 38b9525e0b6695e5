-- No debug library: the instruction budget cannot be switched off.
debug.sethook()
while true do end
