# _hashlib, _md5, _sha*: digests, copy, HMAC, pbkdf2, scrypt, compare_digest, errors.
import _hashlib as h, _md5, _sha1, _sha256, _sha512, _sha3
def t(f,*a,**k):
    try: print(repr(f(*a,**k)))
    # CPython reports an unknown digest as UnsupportedDigestmodError or plain ValueError depending on OpenSSL's
    # error queue: print the ValueError family as one.
    except Exception as e: print('ValueError' if isinstance(e, ValueError) else type(e).__name__, e)
print(sorted(x for x in dir(h) if not x.startswith('__')))
print(sorted(h.openssl_md_meth_names))
for n in sorted(h.openssl_md_meth_names):
    x = h.new(n, b'abc')
    y = x.copy(); y.update(b'def')
    if n.startswith('shake'):
        print(n, x.name, x.digest_size, x.block_size, x.hexdigest(20), y.digest(5), type(x).__name__)
    else:
        print(n, x.name, x.digest_size, x.block_size, x.hexdigest(), y.digest(), type(x).__name__)
t(h.new, 'foo'); t(x.update, 'str'); t(x.update, 1); t(h.new); t(h.new, 'md5', 'x'); t(lambda: h.new('SHA256', b'x').name)
t(h.compare_digest, 'a', b'a'); t(h.compare_digest, 'é', 'é'); t(h.compare_digest, 1, 2); t(h.compare_digest, 'abc', 'abc'); t(h.compare_digest, b'abc', b'abd'); t(h.compare_digest, b'abc', bytearray(b'abc')); t(h.compare_digest, b'ab', b'abc')
t(h.pbkdf2_hmac, 'sha256', b'p', b's', 0); t(h.pbkdf2_hmac, 'sha256', b'p', b's', 1, 0); t(h.pbkdf2_hmac, 'foo', b'p', b's', 1); t(h.pbkdf2_hmac, 'sha256', b'p', b's', 2, 5); t(h.pbkdf2_hmac, 'sha1', b'password', b'salt', 4096)
m=h.hmac_new(b'k', b'm', 'sha256'); print(m.name, m.digest_size, m.block_size, m.hexdigest()); m2 = m.copy(); m2.update(b'x'); print(m2.hexdigest(), m.hexdigest())
print(h.hmac_new(b'k'*200, b'm', 'sha512').hexdigest(), h.hmac_new(b'k', b'', digestmod=h.openssl_md5).hexdigest())
t(h.hmac_new, b'k', b'm'); t(h.hmac_new, b'k', b'm', 'foo'); t(h.hmac_digest, b'k', b'm', 'md5'); t(h.hmac_new, b'k', b'm', len)
print(h.UnsupportedDigestmodError.__mro__[1], len(h._constructors))
y=h.new('shake_128'); t(y.digest); t(y.hexdigest, -1); t(y.digest, 0)
t(h.scrypt, b'p', salt=b's', n=2, r=1, p=1, dklen=8); t(h.scrypt, b'p', salt=b's', n=3, r=1, p=1)
t(lambda: h.openssl_sha256(string=b'a').hexdigest()); t(h.openssl_sha256, data=b'a')
print(_md5.md5(b'x').hexdigest(), _sha256.sha224().name, type(_sha3.sha3_256()), _sha3.shake_256(b'a').hexdigest(4), _sha512.sha384(b'q').digest_size, _sha1.sha1(b'').hexdigest())
t(_md5.md5, b'a', b'b'); t(_md5.md5, 'x')
print(h.get_fips_mode())
