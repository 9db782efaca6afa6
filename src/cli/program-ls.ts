// The `ls` command's flags and help (program.ts adds it).
import { Option, type Command } from 'commander';
import { parseFilterOption, parseSize } from './options.js';
import { MAX_BODY_BYTES } from '../pipeline/http/body-assembler.js';
import { colorOption, sizeText } from './program-options.js';

export function addLsCommand(program: Command, action: (dir: string, flags: Record<string, unknown>) => Promise<number>): void {
  program.command('ls')
    .description('list the reports a --save-dir holds: time, machine, event, app, exception, CAB and size, one line each')
    .argument('<save-dir>', 'a folder written by listen/relay --save-dir (or one report folder in it)')
    .option('--filter <expr>', 'only the reports that match, in the language of decode --filter, e.g. \'event=APPCRASH and machine~WKS-\' (docs/filters.md)', parseFilterOption)
    .option('--json', 'one JSON object per report (NDJSON)')
    .addOption(colorOption('the table'))
    .addOption(new Option('--max-body-bytes <size>', 'largest report body decoded').argParser(parseSize).default(MAX_BODY_BYTES, sizeText(MAX_BODY_BYTES)))
    .addHelpText('after', `
Oldest first. CAB is yes (report.cab), incomplete (the upload broke off: report.cab.incomplete)
or no. Any folder listed opens again in decode, check, diff and replay
(wer-sniff decode reports/<folder> shows one in full).

Examples:
  $ wer-sniff ls reports/
  $ wer-sniff ls reports/ --filter 'event=APPCRASH and app=widget.exe'
  $ wer-sniff ls reports/ --filter 'machine~WKS- and status=200'
  $ wer-sniff ls reports/ --json | jq -r 'select(.cab=="incomplete") | .folder'

Exit codes: 0 listed (also when --filter matched none), 2 not a save-dir or unreadable.`)
    .action(async (dir: string, opts) => {
      process.exitCode = await action(dir, opts);
    });
}
