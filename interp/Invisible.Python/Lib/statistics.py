import math as _math
class StatisticsError(ValueError):
    pass
def mean(data):
    data = list(data)
    if not data:
        raise StatisticsError('mean requires at least one data point')
    return sum(data) / len(data)
def fmean(data):
    data = list(data)
    return _math.fsum(data) / len(data)
def median(data):
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError("no median for empty data")
    if n % 2 == 1:
        return data[n // 2]
    i = n // 2
    return (data[i - 1] + data[i]) / 2
def median_low(data):
    data = sorted(data)
    n = len(data)
    return data[n // 2] if n % 2 else data[n // 2 - 1]
def median_high(data):
    data = sorted(data)
    return data[len(data) // 2]
def mode(data):
    from collections import Counter
    c = Counter(data)
    if not c:
        raise StatisticsError('no mode for empty data')
    return c.most_common(1)[0][0]
def multimode(data):
    from collections import Counter
    c = Counter(data)
    if not c:
        return []
    m = max(c.values())
    return [k for k, v in c.items() if v == m]
def pvariance(data, mu=None):
    data = list(data)
    if mu is None:
        mu = mean(data)
    return sum((x - mu) ** 2 for x in data) / len(data)
def variance(data, xbar=None):
    data = list(data)
    if len(data) < 2:
        raise StatisticsError('variance requires at least two data points')
    if xbar is None:
        xbar = mean(data)
    return sum((x - xbar) ** 2 for x in data) / (len(data) - 1)
def pstdev(data, mu=None):
    return _math.sqrt(pvariance(data, mu))
def stdev(data, xbar=None):
    return _math.sqrt(variance(data, xbar))
