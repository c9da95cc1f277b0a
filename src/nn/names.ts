import { ValueError, formatValue } from '../util/errors.js';

/** How names are compared: case, '-', '_' and spaces are ignored ("leaky_relu" finds "leakyRelu"). */
function nameKey(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * Finds `name` among `canonical` names (ignoring case and separators) or `aliases` (keys compared
 * the same way), returning the canonical name. Unknown names throw a ValueError that lists the
 * valid ones: `<where>: unknown <kind> "swishy"; expected one of "sigmoid", "tanh", …`.
 */
export function lookupName<Name extends string>(
  where: string,
  kind: string,
  name: unknown,
  canonical: readonly Name[],
  aliases: Readonly<Record<string, Name>> = {},
): Name {
  if (typeof name === 'string') {
    const key = nameKey(name);
    const found = canonical.find((c) => nameKey(c) === key);
    if (found !== undefined) return found;
    for (const [alias, target] of Object.entries(aliases)) if (nameKey(alias) === key) return target;
  }
  const valid = canonical.map((c) => JSON.stringify(c)).join(', ');
  throw new ValueError(`${where}: unknown ${kind} ${formatValue(name)}; expected one of ${valid}`);
}
