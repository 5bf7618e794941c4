// Reads a vitest JSON report and prints "passed failed". A run that failed without a failing
// test (a file that did not load, an unhandled error) counts as one failure.
import { readFileSync } from "node:fs"

const report = JSON.parse(readFileSync(process.argv[2], "utf8"))
const failed = report.numFailedTests + (report.success || report.numFailedTests > 0 ? 0 : 1)
console.log(`${report.numPassedTests} ${failed}`)
