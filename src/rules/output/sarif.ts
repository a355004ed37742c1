// SARIF 2.1.0 for code-scanning UIs: one run, the rules as tool metadata with their pages as
// help (markdown embedded, so the UI needs no access to this checkout), results with regions,
// related locations and fixes.
import type { CheckReport, Finding, Rule, Severity } from '../types';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readRulePage, rulePageUri } from '../docs';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function formatSarif(reports: CheckReport[], rules: readonly Rule[], version: string): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const driverRules = rules.map((r) => {
    const page = readRulePage(r.meta);
    const uri = rulePageUri(r.meta);
    return {
      id: r.meta.id,
      name: r.meta.name,
      shortDescription: { text: r.meta.shortDescription },
      fullDescription: { text: r.meta.fullDescription },
      defaultConfiguration: { level: LEVEL[r.meta.defaultSeverity] },
      ...(uri ? { helpUri: uri } : {}),
      help: { text: r.meta.fullDescription, ...(page ? { markdown: page } : {}) },
      properties: { docs: r.meta.docs, tags: ['linux-kernel', 'mm'] },
    };
  });
  const results = reports.flatMap((rep) => {
    // Once per report (an absolute path becomes a file: URL), not once per finding.
    const uri = artifactUri(rep);
    return rep.findings.map((f) => result(f, uri, ruleIndex));
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mmlens', version, semanticVersion: version, rules: driverRules } },
        artifacts: reports.map((r) => ({ location: { uri: artifactUri(r) } })),
        results,
        properties: { kernel: reports.map((r) => ({ path: artifactUri(r), ...r.kernel, arch: r.arch })) },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

/** SARIF wants a URI reference: a relative path with its segments percent-encoded (a space or
 *  `#` in a file name would otherwise break it), an absolute path as a file: URL (`C:/x` would
 *  read as scheme `c:`). */
function artifactUri(r: CheckReport): string {
  if (r.path === null) return 'stdin';
  const p = r.path.split('\\').join('/');
  if (isAbsolute(r.path) || /^[A-Za-z]:\//.test(p)) return pathToFileURL(r.path).href;
  return p.split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

function result(f: Finding, uri: string, ruleIndex: Map<string, number>) {
  const idx = ruleIndex.get(f.rule);
  return {
    ruleId: f.rule,
    ...(idx !== undefined ? { ruleIndex: idx } : {}),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri }, region: region(f.line, f.column, f.endLine, f.endColumn) } }],
    ...(f.related.length
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i + 1,
            message: { text: r.message },
            physicalLocation: { artifactLocation: { uri }, region: region(r.line, r.column, r.endLine, r.endColumn) },
          })),
        }
      : {}),
    ...(f.fix
      ? {
          fixes: [
            {
              description: { text: f.fix.description },
              artifactChanges: [
                {
                  artifactLocation: { uri },
                  replacements: f.fix.edits.map((e) => ({
                    deletedRegion: region(e.line, e.column, e.endLine, e.endColumn),
                    insertedContent: { text: e.newText },
                  })),
                },
              ],
            },
          ],
        }
      : {}),
  };
}

function region(startLine: number, startColumn: number, endLine?: number, endColumn?: number) {
  return {
    startLine,
    startColumn,
    ...(endLine !== undefined ? { endLine } : {}),
    ...(endColumn !== undefined ? { endColumn } : {}),
  };
}
