// Builds the commander program. Each action maps flags to typed options and calls one run*
// function; nothing here touches sockets or files.
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  parseChoice, parsePort, parseSize, parsePositiveInt, collectAsk, parseDuration, parseUpstream, parseResponseUrl, parseDumpServer, parseHeaderLimit,
} from './options.js';
import { MAX_HEADER_BYTES } from '../pipeline/http/framer-api.js';
import { parseKinds } from '../tools/sim/kind-names.js';
import { checkServerName } from '../domain/server/setup.js';
import { MAX_BODY_BYTES } from '../pipeline/http/body-assembler.js';
import { DEFAULT_DIFF_IGNORE, parseIgnoreList } from '../analysis/diff/ignore.js';
import { allPortsOption, colorOption, outputOptions, portOption, resolveBind, serverOptions, sizeText } from './program-options.js';
import { webOptions } from './web-flags.js';
import { addLsCommand } from './program-ls.js';
import { addInspectCommand, addReplayCommand } from './program-offline.js';

export interface Actions {
  listen(flags: Record<string, unknown>): Promise<number>;
  decode(files: string[], flags: Record<string, unknown>): Promise<number>;
  relay(flags: Record<string, unknown>): Promise<number>;
  simulate(flags: Record<string, unknown>): Promise<number>;
  setup(flags: Record<string, unknown>): Promise<number>;
  cab(file: string, flags: Record<string, unknown>): Promise<number>;
  check(files: string[], flags: Record<string, unknown>): Promise<number>;
  diff(a: string, b: string, flags: Record<string, unknown>): Promise<number>;
  replay(files: string[], flags: Record<string, unknown>): Promise<number>;
  inspect(files: string[], flags: Record<string, unknown>): Promise<number>;
  ls(dir: string, flags: Record<string, unknown>): Promise<number>;
}

export const VERSION = '0.1.0';


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
  $ wer-sniff check report.bin            # why would this report not be accepted?
  $ wer-sniff diff mine.http theirs.http  # two reports field by field
  $ wer-sniff listen --web 8273           # and browse the reports live at the URL it prints
  $ wer-sniff listen --json | jq 'select(.type=="report") | .report.event'`);

  const listen = program.command('listen')
    .description('listen for Windows Error Reporting clients, show what they send, and answer like a CER server')
    .argument('[port]', 'TCP port, as in nc -l 1273 (same as -p)', parsePort)
    .option('-p, --port <n>', 'TCP port (0 picks a free one)', parsePort, 1273)
    .option('-b, --bind <addr>', 'local address to listen on (default: 0.0.0.0, or :: with -6)')
    .option('-4', 'listen on IPv4 only (0.0.0.0) when no -b is given')
    .option('-6', 'listen on IPv6 (::) when no -b is given')
    .option('-l', 'accepted and ignored, for nc habits: wer-sniff listen always listens')
    .option('-k', 'accepted and ignored: listen keeps accepting connections anyway (like nc -k); --once stops after one')
    .option('--once', 'exit after the first connection closes (like nc -l without -k)')
    .addOption(new Option('--respond <mode>', 'how to answer: none (never, like nc), ok (200 to everything), cer (a corporate WER server)')
      .argParser(parseChoice(['none', 'ok', 'cer'] as const)).default('cer'))
    .option('--bucket <n>', 'Bucket= in level-1 answers (default: derived from the signature)', parsePositiveInt)
    .option('--bucket-table <n>', 'BucketTable= in level-1 answers (default: derived from the signature)', parsePositiveInt)
    .option('--ask <item>', 'ask the client for more: memory-dump, docs, file:<path>, file-version:<path>, wql:<query>, regkey:<key>, regtree:<key> (repeatable)', collectAsk, [])
    .option('--response-url <url>', 'Response= URL Windows shows to the user', parseResponseUrl)
    .option('--no-cab', 'answer level 1 with iData=0 so the client does not upload a CAB')
    .option('--dump-server <host>', 'also answer DumpServer=<host> beside DumpFile (not in MS-CER2; an open CER server sends it)', parseDumpServer)
    .option('--response-file <file>', 'answer every level-1 report with this body, verbatim')
    .option('--save-dir <dir>', 'one folder per report: level1.http, report.xml, report.json, response.txt, report.cab, cab/');
  serverOptions(listen);
  webOptions(listen);
  outputOptions(listen, true)
    .addHelpText('after', `
Examples:
  $ wer-sniff listen                          # port 1273, answer like a CER server, one line per exchange
  $ wer-sniff listen 8080 -v                  # port 8080 (nc style), crash summary per report
  $ wer-sniff listen -6 --stats 1m            # IPv6; a bucket table on stderr every minute
  $ wer-sniff listen -q --save-dir reports/   # quiet: warnings, errors and the bucket table at Ctrl-C
  $ wer-sniff listen -p 0 --once              # any free port; exit after one connection
  $ wer-sniff listen --respond none --raw > capture.bin    # exactly what nc -l would save
  $ wer-sniff listen -o capture.bin --json | jq -c 'select(.type=="report")'
  $ wer-sniff listen --ask memory-dump --ask 'wql:SELECT Family FROM Win32_Processor'
  $ wer-sniff listen --no-cab                 # stop clients after level 1
  $ wer-sniff listen --dump-server cer.example.test   # DumpServer= beside DumpFile
  $ wer-sniff listen --save-dir reports/      # a folder per report, CAB extracted
  $ wer-sniff listen -w cap.pcap --har cap.har   # for tshark -r cap.pcap -Y http, HAR viewers
  $ wer-sniff listen -w - | tshark -r - -Y http   # pcap on stdout, human view on stderr
  $ wer-sniff listen -o all.bin --filter 'event=APPCRASH and machine~WKS-'   # show only these; all.bin keeps everything
  $ wer-sniff listen --allow 10.0.0.0/8,fd00::/8 --max-conns 200 --idle-timeout 2m
  $ wer-sniff listen --tls --save-cert wer-sniff.crt  # HTTPS with a kept self-signed certificate
  $ wer-sniff listen --tls --cert server.pem --key server.key
  $ wer-sniff listen --redact --har share.har -o exact.bin   # names pseudonymised in view and HAR, -o exact
  $ wer-sniff listen --web 8273               # also browse everything live: open the URL it prints`)
    .action(async (port: number | undefined, opts) => {
      process.exitCode = await actions.listen(resolveBind({ ...opts, port: port ?? opts.port }));
    });

  const relay = program.command('relay')
    .description('relay clients byte for byte to a real CER server and show both directions decoded')
    .requiredOption('--to <host:port>', 'upstream server, e.g. cer.example.test:1273', parseUpstream)
    .option('-p, --port <n>', 'TCP port to listen on (0 picks a free one)', parsePort, 1273)
    .option('-b, --bind <addr>', 'local address to listen on (default: 0.0.0.0, or :: with -6)')
    .option('-4', 'listen on IPv4 only (0.0.0.0) when no -b is given')
    .option('-6', 'listen on IPv6 (::) when no -b is given')
    .addOption(new Option('--connect-timeout <time>', 'give up on an upstream that does not accept within this time (500ms, 10s, 1m)').argParser(parseDuration).default(10_000, '10s'))
    .addOption(new Option('--on-upstream-error <action>', 'when the upstream cannot be reached: close the client, or answer 502 and close')
      .argParser(parseChoice(['close', '502'] as const)).default('close'))
    .option('--upstream-tls', 'speak TLS (HTTPS) to the upstream; its certificate is verified')
    .option('--upstream-ca <file>', 'PEM CA certificate(s) to verify the upstream with, instead of the system\'s')
    .option('--insecure', 'with --upstream-tls: do not verify the upstream\'s certificate')
    .option('--save-dir <dir>', 'one folder per report, as listen --save-dir: level1.http, report.xml, report.json, response.txt (the upstream\'s answer), report.cab, cab/');
  serverOptions(relay);
  webOptions(relay);
  outputOptions(relay, true)
    .addHelpText('after', `
Examples:
  $ wer-sniff relay --to cer.example.test:1273            # listen on 1273, forward, show both ways
  $ wer-sniff relay --to 127.0.0.1:8080 -p 1273 --json | jq -c 'select(.type=="response")'
  $ wer-sniff relay --to cer.example.test:1273 -o client-bytes.bin --on-upstream-error 502
  $ wer-sniff relay --to cer.example.test:1273 -w relay.pcap      # both directions for Wireshark
  $ wer-sniff relay --to cer.example.test:1273 --save-dir reports/   # a folder per report, as listen makes
  $ wer-sniff relay --to cer.example.test:1273 --filter 'status>=400 or problem'   # only what went wrong
  $ wer-sniff relay --to cer.example.test:1273 --tls --save-cert relay.crt --denyfile blocked.txt
  $ wer-sniff relay --to cer.example.test:443 --upstream-tls --upstream-ca corp-root.pem
  $ wer-sniff relay --to cer.example.test:1273 --redact --json > shareable.ndjson
  $ wer-sniff relay --to cer.example.test:1273 --web :0    # the web inspector on a free port`)
    .action(async (opts) => {
      process.exitCode = await actions.relay(resolveBind(opts));
    });

  program.command('simulate')
    .description('behave like a Windows WER client: send level-1 reports and, when asked, PUT the CAB')
    .addOption(new Option('--to <host:port>', 'the CER server (e.g. wer-sniff listen) to send to').argParser(parseUpstream).default({ host: '127.0.0.1', port: 1273 }, '127.0.0.1:1273'))
    .option('--kind <kinds>', 'appcrash, hang, bluescreen, generic, comma-separated, or all', parseKinds, ['appcrash'])
    .option('--cab <file>', 'upload this CAB instead of a generated one')
    .addOption(new Option('--compression <method>', 'compression of the generated CAB').choices(['none', 'mszip', 'lzx']).default('mszip'))
    .option('--count <n>', 'send each kind this many times', parsePositiveInt, 1)
    .option('--machines <n>', 'send the reports from this many machines in turn (SIM-PC-01, SIM-PC-02, …)', parsePositiveInt, 1)
    .addOption(new Option('--timeout <time>', 'give up on the connect, or on an answer when nothing moved for this long').argParser(parseDuration).default(10_000, '10s'))
    .addOption(colorOption('the output'))
    .addHelpText('after', `
Examples:
  $ wer-sniff simulate                                     # one app crash to 127.0.0.1:1273, level 1 and 2
  $ wer-sniff simulate --to 127.0.0.1:1273 --count 200 --machines 20   # a small fleet
  $ wer-sniff simulate --to cer.example.test:1273 --kind all --count 3
  $ wer-sniff simulate --to 127.0.0.1:1273 --kind bluescreen --cab saved/report.cab
  $ wer-sniff simulate --to 127.0.0.1:1273 --compression lzx   # an LZX CAB, as Microsoft's tools make

Exit codes: 0 every report answered, 1 cannot connect, 4 some report was not answered.`)
    .action(async (opts) => {
      process.exitCode = await actions.simulate(opts);
    });

  program.command('setup')
    .description('print the reg add commands that point a Windows machine at this server (changes nothing)')
    .requiredOption('--server <name>', 'host name or address Windows should send reports to', parseServerName)
    .option('--port <n>', 'port', parsePort, 1273)
    .option('--reg-file <file>', 'also write a .reg file to import on the Windows machine (with --undo: one that deletes the values)')
    .option('--undo', 'print the commands that remove the settings again')
    .option('--tls', 'also set CorporateWERUseSSL=1 (for wer-sniff listen --tls) and print how to trust its certificate')
    .addHelpText('after', `
Examples:
  $ wer-sniff setup --server sniffer.example.test
  $ wer-sniff setup --server 192.0.2.10 --port 8080 --reg-file wer-sniff.reg
  $ wer-sniff setup --server sniffer.example.test --tls   # HTTPS, for wer-sniff listen --tls
  $ wer-sniff setup --server x --undo
  $ wer-sniff setup --server x --undo --reg-file undo-wer-sniff.reg   # values deleted with "=-"`)
    .action(async (opts) => {
      process.exitCode = await actions.setup(opts);
    });

  program.command('cab')
    .description('list a CAB, summarise what is inside (metadata, minidump, text) and optionally extract it')
    .argument('<file>', 'the .cab file')
    .option('--extract <dir>', 'extract the files into <dir>; refuses (exit 2) when it already holds one of them')
    .option('--force', 'with --extract: overwrite files already there')
    .option('--json', 'one JSON object instead of the human view')
    .option('--redact', 'replace machine, user and domain names and profile folders in the view by pseudonyms (extracted files stay exact)')
    .addOption(colorOption('the output'))
    .addHelpText('after', `
Examples:
  $ wer-sniff cab report.cab --redact          # safe to paste: names become machine-1, user-1, …
  $ wer-sniff cab reports/20261125T004112Z_WKS-1_widget.exe_APPCRASH_1/report.cab
  $ wer-sniff cab report.cab --extract out/
  $ wer-sniff cab report.cab --json | jq '.entries[] | select(.kind=="minidump") | .minidump.exception'

  $ wer-sniff cab report.cab --extract out/ --force   # overwrite what an earlier run extracted

Exit codes: 0 read cleanly, 1 not a CAB, 2 --extract would overwrite files (use --force), 3 damaged or partly unreadable.`)
    .action(async (file: string, opts) => {
      process.exitCode = await actions.cab(file, opts);
    });

  const decode = program.command('decode')
    .description('decode what was saved (raw bytes from nc -l, --raw, -o, .http files, pcap/pcapng, HAR, --save-dir folders); stdin when no file or -')
    .argument('[file...]', 'inputs, told by content: raw bytes, pcap/pcapng, HAR, a --save-dir report folder or save-dir; - for stdin')
    .addOption(portOption('decode'))
    .addOption(allPortsOption('decode'))
    .option('--save-dir <dir>', 'one folder per report, as listen --save-dir: level1.http, report.xml, report.json, response.txt, report.cab, cab/');
  webOptions(decode);
  outputOptions(decode, false)
    .addHelpText('after', `
Examples:
  $ wer-sniff decode capture.bin
  $ wer-sniff decode traffic.pcapng           # tcpdump/dumpcap/Wireshark captures: TCP reassembled, port 1273
  $ wer-sniff decode reports/                 # a --save-dir: every report with its CAB, oldest first
  $ wer-sniff decode export.har               # a HAR (ours exact; a browser's rebuilt, losses noted)
  $ wer-sniff decode --port 8080 proxy.pcap   # WER sent to another port; --all-ports for every stream
  $ wer-sniff decode traffic.pcap --save-dir reports/   # the report folders listen --save-dir would have made
  $ nc -l 1273 | wer-sniff decode             # decode nc's output as it arrives
  $ wer-sniff decode --json samples/*.http | jq -r 'select(.type=="report") | .report.machine.name'
  $ wer-sniff decode --har crashes.har --filter 'event=APPCRASH and not app=explorer.exe' saved/*.http
  $ wer-sniff decode --redact --har share.har capture.bin   # shareable: machine-1, user-1, domain-1
  $ wer-sniff decode --web :0 capture.bin     # then browse it; serves until Ctrl-C

Exit codes: 0 decoded cleanly, 3 decoded but the input had framing problems, TCP gaps or a damaged capture file.`)
    .action(async (files: string[], opts) => {
      process.exitCode = await actions.decode(files, opts);
    });

  program.command('check')
    .description('check the level-1 reports in saved captures against MS-CER2 and say why one would not be accepted')
    .argument('[file...]', 'inputs as decode reads them: raw bytes, pcap/pcapng, HAR, --save-dir report folders or a save-dir; - for stdin')
    .option('--json', 'one JSON object per report, then a summary line')
    .addOption(colorOption('the output'))
    .addOption(new Option('--max-header-bytes <size>', 'largest request/response head accepted').argParser(parseHeaderLimit).default(MAX_HEADER_BYTES, sizeText(MAX_HEADER_BYTES)))
    .addOption(new Option('--max-body-bytes <size>', 'largest body kept in memory for checking').argParser(parseSize).default(MAX_BODY_BYTES, sizeText(MAX_BODY_BYTES)))
    .addOption(portOption('check'))
    .addOption(allPortsOption('check'))
    .addHelpText('after', `
Every report gets findings with a severity (error, warning, note), a rule id, the MS-CER2
section it rests on, what is wrong and what to change (rule table in docs/check.md). When the
capture holds the server's answers and the level-2 PUT, the conversation is checked too.

Examples:
  $ wer-sniff check capture.bin
  $ wer-sniff check samples/*.http
  $ wer-sniff check --port 8080 traffic.pcap     # a pcap of WER sent to another port
  $ wer-sniff check reports/                     # every --save-dir report folder in it
  $ nc -l 1273 | wer-sniff check               # check what a client sends
  $ wer-sniff check --json mine.http | jq -c 'select(.type=="check") | .findings[] | select(.severity=="error")'

Exit codes: 0 no errors, 1 errors found, 2 unreadable input or no report in it.`)
    .action(async (files: string[], opts) => {
      process.exitCode = await actions.check(files, opts);
    });

  program.command('diff')
    .description('compare two WER conversations field by field: request, headers, report, answers, CAB files')
    .argument('<a>', 'an input as decode reads it (raw, pcap/pcapng, HAR, a --save-dir report folder or save-dir), or input#N for its Nth report')
    .argument('<b>', 'the other side, same forms')
    .option('--all', 'also show the fields that are equal')
    .option('--ignore <fields>', 'comma-separated fields to leave out (a field, a prefix such as report.MACHINEINFO, or a last part such as eventtime)', parseIgnoreList, DEFAULT_DIFF_IGNORE)
    .option('--json', 'one JSON object with every compared field')
    .addOption(colorOption('the differences'))
    .addOption(new Option('--max-body-bytes <size>', 'largest body kept in memory for decoding').argParser(parseSize).default(MAX_BODY_BYTES, sizeText(MAX_BODY_BYTES)))
    .addOption(portOption('compare'))
    .addOption(allPortsOption('compare'))
    .addHelpText('after', `
Examples:
  $ wer-sniff diff mine.http theirs.http          # why is one accepted and not the other?
  $ wer-sniff diff capture.bin#1 capture.bin#2    # first and second report of one capture
  $ wer-sniff diff reports/20261125T004112Z_WKS-1_widget.exe_APPCRASH_1 crash.http
  $ wer-sniff diff --all --ignore eventtime,request.header.Host a.http b.http
  $ wer-sniff diff --json a.http b.http | jq -r '.pairs[].fields[] | [.status, .field] | @tsv'

The event time, the server-generated DumpFile path (answer.DumpFile, upload.target: a new GUID
per report) and the CAB's packed size (upload.header.Content-Length, upload.body.length: it moves
with the times inside the CAB, whose files are compared by name and size) are ignored unless
--ignore says otherwise (--ignore '' compares everything).
Exit codes: 0 equal, 1 different, 2 unreadable input.`)
    .action(async (a: string, b: string, opts) => {
      process.exitCode = await actions.diff(a, b, opts);
    });

  addInspectCommand(program, actions.inspect);
  addReplayCommand(program, actions.replay);
  addLsCommand(program, actions.ls);
  return program;
}
