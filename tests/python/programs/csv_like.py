data = '''name,age,city
Ann,31,Paris
Bob,25,Berlin
Cy,40,Paris
Dee,19,Rome'''
rows = [dict(zip(data.splitlines()[0].split(','), line.split(','))) for line in data.splitlines()[1:]]
by_city = {}
for r in rows:
    by_city.setdefault(r['city'], []).append(r['name'])
print(by_city)
print(sorted(rows, key=lambda r: int(r['age']))[0]['name'], sum(int(r['age']) for r in rows) / len(rows))
print('\n'.join(f"{r['name']:<4}|{r['age']:>3}" for r in rows))
