# _statistics: NormalDist.inv_cdf through the C accelerator, CPython's bits; argument errors.
import _statistics
import statistics

print(_statistics._normal_dist_inv_cdf.__module__)
for p in (1e-300, 1e-10, 0.001, 0.3, 0.5, 0.575, 0.9, 0.999, 1 - 1e-16):
    print(p, _statistics._normal_dist_inv_cdf(p, 1, 2).hex())
nd = statistics.NormalDist(100, 15)
print(nd.inv_cdf(0.975), [round(q, 6) for q in nd.quantiles(4)])
for args in ((0.0, 0, 1), (1.0, 0, 1), (0.5, 0, 0), (0.5, 0), ("x", 0, 1)):
    try:
        print(_statistics._normal_dist_inv_cdf(*args))
    except (ValueError, TypeError) as e:
        print(type(e).__name__ + ":", e)
