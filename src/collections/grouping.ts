/**
 * Adds `value` to the list kept under `key`, starting the list when there is none. In place: a
 * list grows by one, not copied whole for every member (a payer with thousands of invoices).
 */
export function addTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}

/** `rows` grouped by `key`, each group in the rows' order, the groups in the order first met. */
export function groupBy<K, T>(rows: Iterable<T>, key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) addTo(groups, key(row), row);
  return groups;
}
