// Builds the commander program. Each action maps flags to typed options and calls one run*
// function; nothing here touches sockets or files.
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  parseChoice, parsePort, parseSize, parsePositiveInt, collectAsk, parseDuration, parseUpstream, parseResponseUrl, parseHeaderLimit,
} from './options.js';
import { MAX_HEADER_BYTES } from '../http/framer-api.js';
import { parseKinds } from '../sim/kind-names.js';
import { checkServerName } from '../wer/setup.js';
import { MAX_BODY_BYTES } from '../http/body-assembler.js';

export interface Actions {
  listen(flags: Record<string, unknown>): Promise<number>;
  decode(files: string[], flags: Record<string, unknown>): Promise<number>;
  relay(flags: Record<string, unknown>): Promise<number>;
  simulate(flags: Record<string, unknown>): Promise<number>;
  setup(flags: Record<string, unknown>): Promise<number>;
  cab(file: string, flags: Record<string, unknown>): Promise<number>;
}

export const VERSION = '0.1.0';

function outputOptions(cmd: Command, live: boolean): Command {
  cmd
    .option('--json', 'NDJSON events on stdout, one per line (schema in README)')
    .option('-x, --hex-dump', 'show bodies as a hexdump')
    .addOption(new Option('--color <when>', 'colour the human view').choices(['auto', 'always', 'never']).default('auto'))
    .option('--max-header-bytes <size>', 'largest request/response head accepted', parseHeaderLimit, MAX_HEADER_BYTES)
    .option('--max-body-bytes <size>', 'largest body kept in memory for decoding (larger ones are still captured, hashed and summarised)', parseSize, MAX_BODY_BYTES)
    .option('--pcap <file>', 'also write the traffic to <file> as pcap (TCP synthesised around the exact bytes) for Wireshark/tshark')
    .option('--har <file>', 'also write every exchange to <file> as HAR 1.2 (written when the run ends) for browser devtools and HAR viewers')
    .option('--redact', 'replace machine, user and domain names and profile folders in the human view, --json and --har by stable pseudonyms (machine-1, user-1, domain-1); raw outputs stay exact');
  if (live) {
    cmd
      .option('--raw', 'stdout carries exactly the bytes clients sent, nothing else (like nc -l)')
      .option('-o, --output <file>', 'also write the exact client bytes to <file>')
      .option('--append-output', 'append to the --output file instead of truncating it');
  }
  return cmd;
}

function parseServerName(value: string): string {
  const err = checkServerName(value);
  if (err) throw new InvalidArgumentError(err);
  return value;
}

export function createProgram(actions: Actions): Command {
  const program = new Command('wer-sniff')
    .description('The netcat for Windows Error Reporting: capture, decode and answer corporate WER (MS-CER2) crash reports.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Examples:
  $ wer-sniff listen                      # act as the corporate WER server on port 1273
  $ wer-sniff listen -p 0 --once --raw > report.bin
  $ wer-sniff decode report.bin
  $ wer-sniff listen --json | jq 'select(.type=="report") | .report.event'`);

  const listen = program.command('listen')
    .description('listen for Windows Error Reporting clients, show what they send, and answer like a CER server')
    .option('-p, --port <n>', 'TCP port (0 picks a free one)', parsePort, 1273)
    .option('-b, --bind <addr>', 'local address to listen on', '0.0.0.0')
    .option('--once', 'exit after the first connection closes (like nc -l)')
    .addOption(new Option('--respond <mode>', 'how to answer: none (never, like nc), ok (200 to everything), cer (a corporate WER server)')
      .argParser(parseChoice(['none', 'ok', 'cer'] as const)).default('cer'))
    .option('--bucket <n>', 'Bucket= in level-1 answers (default: derived from the signature)', parsePositiveInt)
    .option('--bucket-table <n>', 'BucketTable= in level-1 answers (default: derived from the signature)', parsePositiveInt)
    .option('--ask <item>', 'ask the client for more: memory-dump, docs, file:<path>, file-version:<path>, wql:<query>, regkey:<key>, regtree:<key> (repeatable)', collectAsk, [])
    .option('--response-url <url>', 'Response= URL Windows shows to the user', parseResponseUrl)
    .option('--no-cab', 'answer level 1 with iData=0 so the client does not upload a CAB')
    .option('--response-file <file>', 'answer every level-1 report with this body, verbatim')
    .option('--save-dir <dir>', 'one folder per report: level1.http, report.xml, report.json, response.txt, report.cab, cab/');
  outputOptions(listen, true)
    .addHelpText('after', `
Examples:
  $ wer-sniff listen                          # port 1273, answer like a CER server, human view
  $ wer-sniff listen -p 0 --once              # any free port; exit after one connection
  $ wer-sniff listen --respond none --raw > capture.bin    # exactly what nc -l would save
  $ wer-sniff listen -o capture.bin --json | jq -c 'select(.type=="report")'
  $ wer-sniff listen --ask memory-dump --ask 'wql:SELECT Family FROM Win32_Processor'
  $ wer-sniff listen --no-cab                 # stop clients after level 1
  $ wer-sniff listen --save-dir reports/      # a folder per report, CAB extracted
  $ wer-sniff listen --pcap cap.pcap --har cap.har   # for tshark -r cap.pcap -Y http, HAR viewers
  $ wer-sniff listen --redact --har share.har -o exact.bin   # names pseudonymised in view and HAR, -o exact`)
    .action(async (opts) => {
      process.exitCode = await actions.listen(opts);
    });

  const relay = program.command('relay')
    .description('relay clients byte for byte to a real CER server and show both directions decoded')
    .requiredOption('--to <host:port>', 'upstream server, e.g. cer.example.test:1273', parseUpstream)
    .option('-p, --port <n>', 'TCP port to listen on (0 picks a free one)', parsePort, 1273)
    .option('-b, --bind <addr>', 'local address to listen on', '0.0.0.0')
    .option('--connect-timeout <time>', 'give up on an upstream that does not accept within this time', parseDuration, 10_000)
    .addOption(new Option('--on-upstream-error <action>', 'when the upstream cannot be reached: close the client, or answer 502 and close')
      .argParser(parseChoice(['close', '502'] as const)).default('close'));
  outputOptions(relay, true)
    .addHelpText('after', `
Examples:
  $ wer-sniff relay --to cer.example.test:1273            # listen on 1273, forward, show both ways
  $ wer-sniff relay --to 127.0.0.1:8080 -p 1273 --json | jq -c 'select(.type=="response")'
  $ wer-sniff relay --to cer.example.test:1273 -o client-bytes.bin --on-upstream-error 502
  $ wer-sniff relay --to cer.example.test:1273 --redact --json > shareable.ndjson`)
    .action(async (opts) => {
      process.exitCode = await actions.relay(opts);
    });

  program.command('simulate')
    .description('behave like a Windows WER client: send level-1 reports and, when asked, PUT the CAB')
    .requiredOption('--to <host:port>', 'the CER server (e.g. wer-sniff listen) to send to', parseUpstream)
    .option('--kind <kinds>', 'appcrash, hang, bluescreen, generic, comma-separated, or all', parseKinds, ['appcrash'])
    .option('--cab <file>', 'upload this CAB instead of a generated one')
    .option('--count <n>', 'send each kind this many times', parsePositiveInt, 1)
    .option('--timeout <time>', 'connect timeout', parseDuration, 10_000)
    .addOption(new Option('--color <when>', 'colour the output').choices(['auto', 'always', 'never']).default('auto'))
    .addHelpText('after', `
Examples:
  $ wer-sniff simulate --to 127.0.0.1:1273                 # one app crash, level 1 and 2
  $ wer-sniff simulate --to cer.example.test:1273 --kind all --count 3
  $ wer-sniff simulate --to 127.0.0.1:1273 --kind bluescreen --cab saved/report.cab

Exit codes: 0 every report answered, 1 cannot connect, 4 some report was not answered.`)
    .action(async (opts) => {
      process.exitCode = await actions.simulate(opts);
    });

  program.command('setup')
    .description('print the reg add commands that point a Windows machine at this server (changes nothing)')
    .requiredOption('--server <name>', 'host name or address Windows should send reports to', parseServerName)
    .option('--port <n>', 'port', parsePort, 1273)
    .option('--reg-file <file>', 'also write a .reg file to import on the Windows machine')
    .option('--undo', 'print the commands that remove the settings again')
    .addHelpText('after', `
Examples:
  $ wer-sniff setup --server sniffer.example.test
  $ wer-sniff setup --server 192.0.2.10 --port 8080 --reg-file wer-sniff.reg
  $ wer-sniff setup --server x --undo`)
    .action(async (opts) => {
      process.exitCode = await actions.setup(opts);
    });

  program.command('cab')
    .description('list a CAB, summarise what is inside (metadata, minidump, text) and optionally extract it')
    .argument('<file>', 'the .cab file')
    .option('--extract <dir>', 'extract the files into <dir>')
    .option('--json', 'one JSON object instead of the human view')
    .option('--redact', 'replace machine, user and domain names and profile folders in the view by pseudonyms (extracted files stay exact)')
    .addOption(new Option('--color <when>', 'colour the output').choices(['auto', 'always', 'never']).default('auto'))
    .addHelpText('after', `
Examples:
  $ wer-sniff cab report.cab --redact          # safe to paste: names become machine-1, user-1, …
  $ wer-sniff cab reports/20261125T004112Z_WKS-1_widget.exe_APPCRASH_1/report.cab
  $ wer-sniff cab report.cab --extract out/
  $ wer-sniff cab report.cab --json | jq '.entries[] | select(.kind=="minidump") | .minidump.exception'

Exit codes: 0 read cleanly, 1 not a CAB, 3 damaged or partly unreadable.`)
    .action(async (file: string, opts) => {
      process.exitCode = await actions.cab(file, opts);
    });

  const decode = program.command('decode')
    .description('decode saved captures (raw bytes from nc -l, --raw, -o, or .http files); stdin when no file or -')
    .argument('[file...]', 'capture files; - for stdin');
  outputOptions(decode, false)
    .addHelpText('after', `
Examples:
  $ wer-sniff decode capture.bin
  $ nc -l 1273 | wer-sniff decode             # decode nc's output as it arrives
  $ wer-sniff decode --json samples/*.http | jq -r 'select(.type=="report") | .report.machine.name'
  $ wer-sniff decode --redact --har share.har capture.bin   # shareable: machine-1, user-1, domain-1

Exit codes: 0 decoded cleanly, 3 decoded but the input had framing problems.`)
    .action(async (files: string[], opts) => {
      process.exitCode = await actions.decode(files, opts);
    });

  return program;
}
