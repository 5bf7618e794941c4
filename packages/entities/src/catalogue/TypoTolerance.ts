/** How far a query word may be misspelt, and how far apart two words are. */

/** 0 for tokens of <= 3 chars, 1 for 4–7, 2 for >= 8; sizes ("500") are never fuzzy. */
export const maxDistance = (token: string): number =>
  /\p{N}/u.test(token) || token.length <= 3 ? 0 : token.length <= 7 ? 1 : 2

/** Optimal-string-alignment distance (a transposition costs 1); anything above `max` is `max + 1`. */
export const editDistance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let before = new Array<number>(b.length + 1).fill(0)
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  let cur = new Array<number>(b.length + 1).fill(0)
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2]! + 1)
      cur[j] = v
      rowMin = Math.min(rowMin, v)
    }
    if (rowMin > max) return max + 1
    ;[before, prev, cur] = [prev, cur, before]
  }
  return Math.min(prev[b.length]!, max + 1)
}

/** The word and every string reachable by deleting up to `depth` characters. */
export const deletions = (word: string, depth: number, out: Set<string> = new Set()): Set<string> => {
  out.add(word)
  if (depth > 0) for (let i = 0; i < word.length; i++) deletions(word.slice(0, i) + word.slice(i + 1), depth - 1, out)
  return out
}
