#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Sends HEPv3 and raw SIP to listenind for tests/daemon/test-bad-input.sh.

  hepsend.py malformed-hep HOST PORT     broken HEP datagrams, one per kind
  hepsend.py malformed-sip HOST PORT     well-formed HEP around broken SIP
  hepsend.py raw-sip HOST PORT           broken SIP as plain UDP (for capture)
  hepsend.py tcp HOST PORT               a valid INVITE split across writes,
                                         then a stream that is not HEP
  hepsend.py flood HOST PORT N FIRST     N INVITEs that are never answered
  hepsend.py invite HOST PORT TAG        one valid INVITE (Call-ID flood-TAG)
"""
import socket
import struct
import sys
import time


def chunk(ctype, value):
    return struct.pack("!HHH", 0, ctype, len(value) + 6) + value


def hep(sip, proto_type=1, family=2, extra=b"", drop=()):
    chunks = {
        1: chunk(1, bytes([family])),
        2: chunk(2, bytes([17])),
        3: chunk(3, socket.inet_aton("192.0.2.1")),
        4: chunk(4, socket.inet_aton("192.0.2.2")),
        7: chunk(7, struct.pack("!H", 5060)),
        8: chunk(8, struct.pack("!H", 5060)),
        9: chunk(9, struct.pack("!I", int(time.time()))),
        10: chunk(10, struct.pack("!I", 0)),
        11: chunk(11, bytes([proto_type])),
        12: chunk(12, struct.pack("!I", 7)),
        15: chunk(15, sip),
    }
    body = b"".join(v for k, v in chunks.items() if k not in drop) + extra
    return b"HEP3" + struct.pack("!H", len(body) + 6) + body


def invite(call_id, tag="a1", body=True, headers=""):
    sdp = (b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
           b"t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n") if body else b""
    head = ("INVITE sip:bob@192.0.2.2 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\r\n"
            "From: <sip:alice@192.0.2.1>;tag=%s\r\n"
            "To: <sip:bob@192.0.2.2>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 INVITE\r\n"
            "Contact: <sip:alice@192.0.2.1>\r\n"
            "%s"
            "Content-Type: application/sdp\r\n"
            "Content-Length: %d\r\n\r\n") % (call_id, tag, call_id, headers, len(sdp))
    return head.encode() + sdp


BROKEN_SIP = [
    b"",                                                   # empty
    b"this is not SIP at all\r\n\r\n",                     # unparseable
    invite("x1")[:40],                                     # truncated start
    invite("x2").replace(b"Call-ID: x2\r\n", b""),         # no Call-ID
    invite("x3").replace(b";tag=a1", b""),                 # no From tag
    invite("x4").replace(b"CSeq: 1 INVITE", b"CSeq: x INVITE"),  # bad CSeq
    invite("x5").replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE"),     # method mismatch
    invite("x6").replace(b"m=audio 4000", b"m=audio 99999"),     # bad SDP port
    b"BYE sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n"
    b"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: never-seen\r\n"
    b"CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",          # unknown call
    invite("x7") + b"\x00\x00garbage",                     # trailing NULs
    b"INVITE sip:bob@192.0.2.2 SIP/2.0\r\n" + b"X: " + b"y" * 60000 + b"\r\n\r\n",
]


def malformed_hep():
    good = hep(invite("hep-ok"))
    yield b"HEP"                                           # short
    yield b"HEP2" + good[4:]                               # not HEPv3
    yield b"\x00" * 64                                     # zeros
    yield good[:-10]                                       # total length > bytes
    yield b"HEP3" + struct.pack("!HHHH", 12, 0, 1, 200)    # chunk past the end
    yield hep(b"", extra=struct.pack("!HHH", 0, 2, 3))     # chunk length < 6
    yield hep(invite("h1"), extra=chunk(1, b"\x02"))       # duplicate chunk
    yield hep(invite("h2"), family=7)                      # bad family
    yield hep(invite("h3"), drop=(15,))                    # no payload
    yield hep(invite("h4"), drop=(3, 4))                   # no addresses
    yield hep(invite("h5"), drop=(7,))                     # no port
    yield hep(b"\x00RTCP", proto_type=5)                   # not SIP
    yield hep(b"")                                         # empty payload


def send_udp(host, port, packets, pause=0.0):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                      socket.SOCK_DGRAM)
    n = 0
    for p in packets:
        s.sendto(p, (host, port))
        n += 1
        if pause:
            time.sleep(pause)
    return n


def main():
    what, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if what == "malformed-hep":
        n = send_udp(host, port, malformed_hep(), 0.01)
    elif what == "malformed-sip":
        n = send_udp(host, port, (hep(m) for m in BROKEN_SIP if len(m) < 65000), 0.01)
    elif what == "raw-sip":
        n = send_udp(host, port, (m for m in BROKEN_SIP if 0 < len(m) < 65000), 0.01)
    elif what == "invite":
        n = send_udp(host, port, [hep(invite("flood-" + sys.argv[4]))])
    elif what == "flood":
        count, first = int(sys.argv[4]), int(sys.argv[5])
        n = 0
        for i in range(first, first + count):
            n += send_udp(host, port, [hep(invite("flood-%d" % i, tag="t%d" % i))])
            if i % 200 == 0:
                time.sleep(0.02)   # let the daemon keep up; drops are not the point
    elif what == "tcp":
        s = socket.create_connection((host, port))
        msg = hep(invite("tcp-ok"))
        for i in range(0, len(msg), 7):
            s.sendall(msg[i:i + 7])
            time.sleep(0.001)
        time.sleep(0.2)
        s.close()
        s = socket.create_connection((host, port))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n" * 4)
        time.sleep(0.2)
        s.close()
        n = 2
    else:
        sys.exit("hepsend.py: unknown action %r" % what)
    print("sent %d" % n)


if __name__ == "__main__":
    main()
