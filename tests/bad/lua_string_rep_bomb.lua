-- A huge string is refused at once (1 GiB, over the 256 MiB cap).
local s = string.rep("ab", 2^29)
