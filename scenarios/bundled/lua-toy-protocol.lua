-- lua-toy-protocol.lua - a guessing game over UDP and a score board over
-- TCP, both written in the scenario itself.
--
-- The server thinks of a number from 1 to 100 (math.random, so the same
-- seed gives the same number). The client guesses by binary search: each
-- guess is one UDP datagram "GUESS n", each answer "HIGHER", "LOWER" or
-- "CORRECT n". Once it has won, the client opens a TCP connection to port
-- 7001 and reports "SCORE ann <tries>"; the score board answers with the
-- rank and closes. Every datagram and segment is real: open the capture in
-- Wireshark and read the game in the packet bytes (Follow > UDP Stream).

scenario{
  name = "A toy protocol written in Lua",
  description = "ann plays a guessing game with the server over UDP port 7000 (GUESS n, " ..
    "then HIGHER, LOWER or CORRECT), then reports her score over TCP port 7001. Both " ..
    "protocols are a few lines of the scenario's Lua. Look at the UDP payloads and the " ..
    "TCP handshake, data and FIN in the event list, or follow the streams in Wireshark.",
  seed = 42,
  duration = "10s",
}

host{name = "ann", interfaces = {{name = "eth0", ip = "192.168.7.10/24"}},
     position = {x = 200, y = 300}}
switch{name = "sw1", ports = 4, position = {x = 450, y = 300}}
server{name = "game", interfaces = {{name = "eth0", ip = "192.168.7.1/24"}},
       position = {x = 700, y = 300}}
link{a = "ann:eth0", b = "sw1:1", delay = "500us"}
link{a = "game:eth0", b = "sw1:4", delay = "500us"}

local GAME, BOARD = 7000, 7001
local secret = math.random(1, 100)
local scores = {}        -- the board: name -> tries
local tries_taken

-- The server: answers each guess.
at(0, function()
  udp_open("game", GAME, function(data, ip, port, sock)
    local n = tonumber(data:match("^GUESS (%d+)$"))
    local answer
    if not n then answer = "ERROR say GUESS n"
    elseif n < secret then answer = "HIGHER"
    elseif n > secret then answer = "LOWER"
    else answer = "CORRECT " .. n end
    sock:sendto(ip, port, answer)
  end)

  tcp_listen("game", BOARD, function(conn)
    conn:on{line = function(c, line)
      local who, n = line:match("^SCORE (%w+) (%d+)$")
      if not who then
        c:send("ERROR say SCORE name tries\r\n")
      else
        scores[who] = tonumber(n)
        local rank = 1
        for other, t in pairs(scores) do
          if other ~= who and t < scores[who] then rank = rank + 1 end
        end
        c:send("OK " .. who .. " is number " .. rank .. "\r\n")
      end
      c:close()
    end}
  end)
end)

-- The client: binary search, one datagram per guess.
at("1s", function()
  local lo, hi, tries = 1, 100, 0
  local sock
  local function guess()
    tries = tries + 1
    sock:sendto("192.168.7.1", GAME, "GUESS " .. (lo + hi) // 2)
  end
  sock = udp_open("ann", 0, function(data)
    local mid = (lo + hi) // 2
    if data == "HIGHER" then lo = mid + 1; guess()
    elseif data == "LOWER" then hi = mid - 1; guess()
    elseif data:match("^CORRECT") then
      tries_taken = tries
      print(string.format("ann found %d in %d tries", mid, tries))
      sock:close()
      -- report the score over TCP
      tcp_connect("ann", "192.168.7.1", BOARD, {
        connected = function(c) c:send("SCORE ann " .. tries .. "\r\n") end,
        line = function(c, line)
          print("score board: " .. line)
          expect(line == "OK ann is number 1", "the score board ranked ann first")
        end,
        peer_closed = function(c) c:close() end, -- the board hung up: so do we
        closed = function(c, why) expect(why == "closed", "the TCP connection closed cleanly") end,
      })
    end
  end)
  guess()
end)

-- Every guess crosses the wire: count them on ann's cable.
local guesses = 0
on_packet({protocol = "UDP", on = "ann:eth0"}, function(p)
  if p.payload:match("^GUESS") then guesses = guesses + 1 end
end)

at_end(function()
  expect(tries_taken ~= nil, "ann won the game")
  expect(tries_taken and tries_taken <= 7, "binary search needs at most 7 guesses for 1..100")
  expect(guesses == tries_taken, guesses .. " GUESS datagrams on the wire")
  expect(scores.ann == tries_taken, "the score board kept ann's score")
end)
