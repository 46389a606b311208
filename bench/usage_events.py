#!/usr/bin/env python3
# bench/usage_events.py: N CloudTrail records as JSON Lines (default 10M) for the streaming
# import of observed use: assumed-role sessions of a few roles reading and writing objects.
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
roles = ["acme-integration", "backup-writer", "ghost-role"]
names = ["GetObject", "PutObject", "GetObject", "DeleteObject", "ListBucket"]
template = ('{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":'
            '"arn:aws:sts::111122223333:assumed-role/%s/s%d","accountId":"111122223333"},'
            '"eventTime":"2026-11-%02dT%02d:%02d:%02dZ","eventSource":"s3.amazonaws.com",'
            '"eventName":"%s","requestParameters":{"bucketName":"%s","key":"k/%d.json"},'
            '"eventID":"ev-%d","recipientAccountId":"111122223333"}\n')
out = sys.stdout
chunk = []
for i in range(n):
    chunk.append(template % (roles[i % 3], i % 97, 1 + i % 28, i % 24, i % 60, i % 59,
                             names[i % 5], "orders" if i % 4 else "backups", i % 100003, i))
    if len(chunk) == 100000:
        out.write("".join(chunk))
        chunk = []
out.write("".join(chunk))
