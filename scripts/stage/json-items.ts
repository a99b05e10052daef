// Streams the elements of one top-level array of a JSON document ("users" of a
// Firebase or Keycloak export) without holding the document: exports of
// millions of users do not fit in memory as one JSON.parse.

/**
 * Yields the text of each object in the array under `key` of the top-level
 * object, for JSON.parse one at a time.
 *
 * @example
 * ```ts
 * for await (const text of arrayItems(createReadStream('users.json', 'utf8'), 'users')) JSON.parse(text)
 * ```
 */
export async function* arrayItems(chunks: AsyncIterable<string>, key: string): AsyncGenerator<string> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = -1;
  let lastString = '';
  let pendingString = '';
  let arrayDepth = -1;
  let item: string[] | undefined;
  for await (const chunk of chunks) {
    let itemFrom = item ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          // Keys are what matter, and only at the top level; short ones at that.
          if (depth === 1 && arrayDepth < 0) lastString = pendingString + chunk.slice(stringStart, i);
          pendingString = '';
        }
        continue;
      }
      if (c === 34) {
        inString = true;
        stringStart = i + 1;
      } else if (c === 123 || c === 91) {
        depth++;
        if (c === 91 && depth === 2 && arrayDepth < 0 && lastString === key) arrayDepth = depth;
        else if (c === 123 && depth === arrayDepth + 1 && arrayDepth > 0) { item = []; itemFrom = i; }
      } else if (c === 125 || c === 93) {
        if (c === 125 && item && depth === arrayDepth + 1) {
          item.push(chunk.slice(itemFrom, i + 1));
          yield item.join('');
          item = undefined;
          itemFrom = -1;
        } else if (c === 93 && depth === arrayDepth) {
          return;
        }
        depth--;
      }
    }
    if (inString && depth === 1 && arrayDepth < 0) pendingString += chunk.slice(stringStart);
    stringStart = 0;
    if (item && itemFrom >= 0) item.push(chunk.slice(itemFrom));
  }
  if (arrayDepth < 0) throw new Error(`the file has no top-level "${key}" array`);
  throw new Error(`the "${key}" array is not closed: the file is cut short`);
}
