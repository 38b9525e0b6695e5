-- ... and none can be loaded: load() takes text only.
local bytecode = "\27LuaT\0\25\147\r\n\26\n\4\8\8"
local f, why = load(bytecode)
assert(f, why)
