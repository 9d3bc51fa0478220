import json
cfg = json.loads('{"server": {"host": "localhost", "ports": [80, 443]}, "debug": false, "ratio": 0.75}')
cfg['server']['ports'].append(8080)
cfg['debug'] = True
print(cfg['server']['host'], cfg['server']['ports'], cfg['debug'], cfg['ratio'] * 2)
print(json.dumps(cfg, sort_keys=True))
