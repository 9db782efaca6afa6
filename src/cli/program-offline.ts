// The `inspect` and `replay` commands' flags and help (program.ts adds them): the two that
// open saved inputs and hand them on, to a browser or to a server.
import { Option, type Command } from 'commander';
import { parseDuration, parseHeaderLimit, parsePositiveInt, parseRate, parseSize, parseUpstream } from './options.js';
import { MAX_HEADER_BYTES } from '../pipeline/http/framer-api.js';
import { MAX_BODY_BYTES } from '../pipeline/http/body-assembler.js';
import { allPortsOption, outputOptions, portOption, sizeText } from './program-options.js';
import { webOptions } from './web-flags.js';

type FilesAction = (files: string[], flags: Record<string, unknown>) => Promise<number>;

export function addInspectCommand(program: Command, action: FilesAction): void {
  const inspect = program.command('inspect')
    .description('open saved captures and --save-dir report folders in the web inspector (a page on 127.0.0.1) and serve them until Ctrl-C')
    .argument('[input...]', 'what decode reads (raw captures, .http, pcap/pcapng), or --save-dir report folders; - for stdin')
    .addOption(new Option('--max-header-bytes <size>', 'largest request/response head accepted').argParser(parseHeaderLimit).default(MAX_HEADER_BYTES, sizeText(MAX_HEADER_BYTES)))
    .addOption(new Option('--max-body-bytes <size>', 'largest body kept in memory for decoding').argParser(parseSize).default(MAX_BODY_BYTES, sizeText(MAX_BODY_BYTES)))
    .addOption(portOption('inspect'))
    .addOption(allPortsOption('inspect'));
  webOptions(inspect, '127.0.0.1:8273')
    .addHelpText('after', `
It prints one line, web inspector: http://127.0.0.1:8273/?token=…, and opens nothing by itself:
open that URL in a browser on this machine. The token is needed; the page keeps it in a cookie.

Examples:
  $ wer-sniff inspect capture.bin
  $ wer-sniff inspect reports/                  # every --save-dir report folder, with its CAB
  $ wer-sniff inspect --web :0 traffic.pcapng   # any free port
  $ wer-sniff inspect --web 0.0.0.0:8273 --web-bind-public saved/*.http   # reachable from other machines (warned)

Exit codes: 0 after Ctrl-C, 2 bad flags or unreadable input, 3 the input had framing problems.`)
    .action(async (files: string[], opts) => {
      process.exitCode = await action(files, opts);
    });

}

export function addReplayCommand(program: Command, action: FilesAction): void {
  const replayCmd = program.command('replay')
    .description('send the requests of a capture (raw bytes, pcap or HAR) to a server again, byte for byte, and show the answers decoded')
    .argument('<capture...>', 'inputs as decode reads them: raw (one file = one connection), pcap/pcapng (one TCP connection = one connection), HAR, --save-dir folders; - for stdin')
    .requiredOption('--to <host:port>', 'the server to send to, e.g. 127.0.0.1:1273', parseUpstream)
    .option('--new-connection', 'a new connection for every request (default: the requests of one captured connection share one, as captured)')
    .option('--rate <n/s>', 'at most this many requests per second (10, 0.5, 120/m)', parseRate)
    .option('--count <n>', 'send the whole set this many times', parsePositiveInt, 1)
    .addOption(new Option('--timeout <time>', 'give up on a connect, or on an answer when nothing moved for this long (500ms, 30s, 2m)').argParser(parseDuration).default(30_000, '30s'))
    .addOption(portOption('replay'))
    .addOption(allPortsOption('replay'));
  outputOptions(replayCmd, false)
    .addHelpText('after', `
Examples:
  $ wer-sniff replay capture.bin --to 127.0.0.1:1273         # a saved report again, answers decoded
  $ wer-sniff replay reports.har --to 127.0.0.1:1273 --filter 'event=APPCRASH'
  $ wer-sniff replay capture.bin --to 127.0.0.1:8080 --count 100 --rate 20 --new-connection
  $ wer-sniff replay traffic.pcap --to 127.0.0.1:1273          # the client side of each TCP connection on port 1273
  $ wer-sniff replay reports/ --to 127.0.0.1:1273               # every saved report and its CAB
  $ wer-sniff replay saved/*.http --to [::1]:1273 --json | jq -c 'select(.type=="response") | .status'

Keep-alive as captured: the requests of one file (or one HAR connection) go on one connection,
each after the previous answer. --filter also chooses what is sent: requests ruled out by their
own fields (method, path, event, app, machine, …) are not sent. Exit codes: 0 every request answered, 1 cannot read the capture
or write an output, 4 some request failed (refused, closed, no answer in time).`)
    .action(async (files: string[], opts) => {
      process.exitCode = await action(files, opts);
    });

}
