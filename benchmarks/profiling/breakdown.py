import json, sys, collections, subprocess
# Groups a LoadHarness JFR recording (benchmarks/profiling/fast.jfc) by the first consent4j frame of each
# client-thread sample, and the audit writer's samples by stage. docs/BENCHMARKS.md, "Issue 13: the per-statement
# cost (helper overhead)".
# usage: breakdown.py file.jfr  -> client-thread Java samples by category, writer share, per-thread CPU
jfr = sys.argv[1]
ev = json.loads(subprocess.run(['jfr','print','--json','--events','jdk.ExecutionSample',jfr],capture_output=True,text=True).stdout)['recording']['events']
def nm(f): return f['method']['type']['name'].replace('/','.') + '.' + f['method']['name']
CATS = [
 ('audit event: build, validate, submit', ['org.consent4j.AuditEvent.', 'org.consent4j.Sorted.', 'ConsentInterceptor.record', 'ConsentInterceptor.audit', 'ConsentInterceptor.details', 'ConsentInterceptor.gdprDetails', 'ConsentInterceptor.shape', 'AuditTrail.submit', 'AuditTrail.enqueue', 'AuditChain.requireHashable', 'AuditChain$Encoder.check', 'Completion.onResultSetClosed']),
 ('post-filter decisions (engine, index)', ['PostFilteredRows.', 'org.consent4j.core.ConsentEngine.', 'org.consent4j.core.ConsentIndex', 'org.consent4j.core.ConsentRules', 'org.consent4j.Decision']),
 ('interceptor: cache lookup, key, context and age checks, time', ['ConsentInterceptor', 'com.github.benmanes.caffeine', 'TimeParameters', 'TimeBindings', 'RewrittenStatement', 'ProcessingScope', 'currentContext']),
 ('wrappers: statement, result set, proxies, bound parameters', ['org.consent4j.jdbc.wrapper.', 'jdk.proxy', 'com.sun.proxy', '$Proxy']),
 ('PostgreSQL driver', ['org.postgresql.']),
 ('harness', ['org.consent4j.benchmarks.']),
]
def cat(frames):
    for f in frames:
        n = nm(f)
        for c, keys in CATS:
            if any(k in n for k in keys):
                return c
    return 'other (JDK: sockets, threads)'
client = collections.Counter(); writer = collections.Counter(); nclient = nwriter = 0; other = 0
for e in ev:
    tn = (e['values'].get('sampledThread') or {}).get('javaName') or ''
    fr = e['values']['stackTrace']['frames']
    if tn.startswith('pool'):
        nclient += 1; client[cat(fr)] += 1
    elif tn == 'consent4j-audit-writer':
        nwriter += 1
        names = [nm(f) for f in fr]
        if any('AuditChain.hash' in n for n in names): writer['SHA-256 chain: encode and hash'] += 1
        elif any('AuditChain.seal' in n or 'AuditRecord.<init>' in n for n in names): writer['seal: the record and its hex checks'] += 1
        elif any('Sink' in n for n in names): writer['sink write'] += 1
        else: writer['queue, lock, hand-off'] += 1
    else:
        other += 1
print(f"client-thread Java samples {nclient}, audit writer {nwriter}, other threads {other}")
for c, v in client.most_common(): print(f"  client {v*100/max(nclient,1):5.1f}%  {c}")
for c, v in writer.most_common(): print(f"  writer {v*100/max(nwriter,1):5.1f}%  {c}")
