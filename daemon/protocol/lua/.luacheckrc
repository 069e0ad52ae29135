-- luacheck settings for the composed scripts (build/daemon/protocol/lua/*.lua): Lua 5.1 as
-- Redis embeds it, plus the globals Redis gives a script. Any other warning fails the test.
std = 'lua51'
read_globals = {'redis', 'KEYS', 'ARGV', 'cjson', 'cmsgpack', 'bit', 'struct'}
-- Long lines carry whole redis.call argument lists; breaking them helps no reader.
max_line_length = false
