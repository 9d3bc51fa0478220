# _socket (the C-level module under Lib's socket): socketpair, a loopback TCP echo served by a thread,
# timeouts, non-blocking calls, addresses, name helpers and CPython's error texts.
import _socket
import threading

def err(f, *a):
    try:
        f(*a)
        print("no error")
    except Exception as e:
        print(type(e).__name__, e)

print(_socket.socket.__name__, _socket.SocketType is _socket.socket, _socket.error is OSError, _socket.timeout is TimeoutError)
print(issubclass(_socket.gaierror, OSError), issubclass(_socket.herror, OSError), _socket.has_ipv6)
print(_socket.AF_INET, _socket.AF_INET6, _socket.AF_UNIX, _socket.SOCK_STREAM, _socket.SOCK_DGRAM, _socket.SOL_SOCKET, _socket.SO_REUSEADDR)

# socketpair
a, b = _socket.socketpair()
print(a.family == _socket.AF_UNIX, a.type, a.proto, a.gettimeout(), a.getblocking(), repr(a.getsockname()))
print(a.send(b"ping"), b.recv(10))
a.sendall(b"x" * 100000)
got = 0
while got < 100000:
    got += len(b.recv(65536))
print("sendall", got)
buf = bytearray(8)
a.send(b"abc")
print(b.recv_into(buf), buf)
b.settimeout(0.05)
err(b.recv, 10)
b.setblocking(False)
print(b.gettimeout(), b.getblocking())
err(b.recv, 10)
err(b.recv, -1)
err(b.settimeout, -1)
a.close()
print(a.fileno(), b.recv(10))
err(a.send, b"x")
b.close()

# loopback TCP echo
srv = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
srv.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
print(srv.getsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR) != 0, srv.getsockopt(_socket.SOL_SOCKET, _socket.SO_TYPE))
srv.bind(("127.0.0.1", 0))
srv.listen()
host, port = srv.getsockname()
print(host, port > 0)

seen = []

def serve():
    fd, addr = srv._accept()
    conn = _socket.socket(fileno=fd)
    seen.append((addr[0], conn.family, conn.type))
    while True:
        data = conn.recv(1024)
        if not data:
            break
        conn.sendall(data.upper())
    conn.close()

t = threading.Thread(target=serve)
t.start()
c = _socket.socket()
c.settimeout(5)
c.connect((host, port))
print("client: peer", c.getpeername() == (host, port))
for word in (b"hello", b"echo", b"world"):
    c.sendall(word)
    print(c.recv(1024))
c.shutdown(_socket.SHUT_WR)
print(c.recv(1024))
c.close()
t.join()
print("server: peer", seen)
srv.close()
print(_socket.socket().connect_ex(("127.0.0.1", port)) != 0)

# addresses and errors
s = _socket.socket()
err(s.bind, "abc")
err(s.bind, ("127.0.0.1",))
err(s.bind, ("127.0.0.1", 70000))
err(s.bind, (1, 2))
s.close()
u = _socket.socket(_socket.AF_UNIX)
err(u.bind, "/x" * 100)
u.close()
err(_socket.socket, 99)

# helpers
print(_socket.inet_aton("1.2.3.4"), _socket.inet_aton("127.1"), _socket.inet_ntoa(b"\x01\x02\x03\x04"))
print(_socket.inet_pton(_socket.AF_INET6, "::1"), _socket.inet_ntop(_socket.AF_INET6, b"\0" * 15 + b"\1"))
print(_socket.inet_ntop(_socket.AF_INET, b"\x7f\0\0\1"), _socket.inet_pton(_socket.AF_INET, "10.0.0.1"))
err(_socket.inet_aton, "1.2.3.x")
err(_socket.inet_ntoa, b"12")
err(_socket.inet_pton, _socket.AF_INET, "1.2.3")
print(_socket.htons(1), _socket.ntohs(256), _socket.htonl(1), _socket.ntohl(16777216))
err(_socket.htons, -1)
err(_socket.htons, 70000)
print(_socket.getaddrinfo("127.0.0.1", 80, _socket.AF_INET, _socket.SOCK_STREAM))
print(_socket.getaddrinfo(None, "80", _socket.AF_INET, _socket.SOCK_STREAM, 0, _socket.AI_PASSIVE))
print(_socket.getnameinfo(("127.0.0.1", 80), _socket.NI_NUMERICHOST | _socket.NI_NUMERICSERV))
print(_socket.gethostbyname("127.0.0.1"), isinstance(_socket.gethostname(), str))
print(_socket.getservbyname("http", "tcp"), _socket.getservbyport(80, "tcp"), _socket.getprotobyname("tcp"))
err(_socket.getservbyname, "no-such-service")
print(_socket.CMSG_LEN(4), _socket.CMSG_SPACE(4))
print(_socket.getdefaulttimeout())
_socket.setdefaulttimeout(2.5)
s = _socket.socket()
print(_socket.getdefaulttimeout(), s.gettimeout(), s.timeout)
s.close()
_socket.setdefaulttimeout(None)
err(_socket.setdefaulttimeout, -1)
