/**
 * What a `qc` command answers: the same finding as text for a person and as one JSON
 * document for a program. `found: false` makes the process exit with 1.
 */
export interface Report {
  readonly text: string
  readonly json: unknown
  readonly found: boolean
}

export const report = (text: string, json: unknown, found = true): Report => ({ text, json, found })

export type Cell = string | number | boolean | null | undefined

const show = (cell: Cell): string => (cell === null || cell === undefined ? "-" : cell === true ? "yes" : cell === false ? "no" : String(cell))

/** A plain text table: a header, a rule, one line per row; numbers right-aligned. */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const cells = rows.map((row) => headers.map((_, i) => show(row[i])))
  const numeric = headers.map((_, i) =>
    rows.some((row) => typeof row[i] === "number") && rows.every((row) => typeof row[i] === "number" || row[i] == null)
  )
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)))
  const line = (row: ReadonlyArray<string>) =>
    row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd()
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}

/** `key  value` lines, keys padded to one width. */
export const keyValues = (pairs: ReadonlyArray<readonly [string, Cell]>): string => {
  const width = Math.max(0, ...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${show(v)}`).join("\n")
}

/** A titled block: the title, then the body or `(none)`. */
export const section = (title: string, body: string | undefined) => `${title}\n${body === undefined || body === "" ? "  (none)" : body}`

/** Cuts long free text (payloads, details) for a table cell; the JSON output keeps it whole. */
export const clip = (text: string, max = 80) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

/** `1.2 s`, `45 ms`, `3 min` for an age or a lag. */
export const duration = (ms: number): string =>
  ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 7_200_000
    ? `${Math.round(ms / 60_000)} min`
    : `${(ms / 3_600_000).toFixed(1)} h`

/** Paise as rupees, `₹123.45`. */
export const rupees = (paise: number) => `₹${(paise / 100).toFixed(2)}`
