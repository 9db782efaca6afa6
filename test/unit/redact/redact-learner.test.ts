import { describe, expect, it } from 'vitest';
import { RedactLearner } from '../../../src/sinks/redact-learner.js';
import { Pseudonyms } from '../../../src/analysis/redact/pseudonyms.js';
import { T0, makeConnection, makeExchange, makeRequest, makeResponse } from '../../helpers/factories.js';

describe('RedactLearner', () => {
  it('learns names in the level-1 answer and paths in problems; the server\'s own names (upstream, Host) stay', () => {
    const names = new Pseudonyms();
    const learner = new RedactLearner(names);
    const connection = makeConnection({ upstream: 'cer.corp.example.test:1273' });
    learner.event({ type: 'open', ts: T0, connection });
    const exchange = makeExchange({
      connection,
      request: makeRequest('GET', '/x', '', [['Host', 'wer-gw.lab.example.test']]),
      response: makeResponse(200, 'OK', 'Bucket=1\r\nGetFile=\\\\FILESRV7\\logs\\a.log\r\n', [['Content-Type', 'text/plain']]),
    });
    learner.event({ type: 'request', ts: T0, connection, exchange });
    learner.event({ type: 'response', ts: T0, connection, exchange });
    learner.event({ type: 'problem', ts: T0, connection, problem: { code: 'x', source: 'client', offset: 0, message: 'bad C:\\Users\\mallory\\x' } });
    expect(names.redact('cer.corp.example.test wer-gw.lab.example.test FILESRV7 mallory'))
      .toBe('cer.corp.example.test wer-gw.lab.example.test machine-1 user-1');
  });
});
