"""Writes every embedded ELF object of machine type MACHINE found inside
FILE (a model .so: device images are byte arrays in its read-only data) to
PREFIX.0, PREFIX.1, ...; fails if there is none."""
import struct
import sys

path, prefix, machine = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
found = 0
start = 1  # the .so itself is the ELF at offset 0
while True:
    at = data.find(b"\x7fELF\x02\x01", start)
    if at < 0:
        break
    start = at + 1
    if struct.unpack_from("<H", data, at + 18)[0] != machine:
        continue
    # The object ends after its section header table.
    shoff = struct.unpack_from("<Q", data, at + 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, at + 0x3A)
    end = at + shoff + shentsize * shnum
    with open("%s.%d" % (prefix, found), "wb") as out:
        out.write(data[at:end])
    found += 1
if not found:
    sys.exit("no embedded ELF object of machine %d in %s" % (machine, path))
