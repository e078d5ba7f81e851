/// The EXAMPLES that end every command's `--help`, as gh's do: real command lines, keyed by the
/// command's path. A test checks that every command has some.
enum HelpExamples {
    static let byCommand: [String: [String]] = [
        "lineage": [
            "lineage init --origin example.com/fraud",
            "lineage trace pred-8812",
            "lineage help record prediction",
        ],
        "lineage init": [
            "lineage init --origin example.com/fraud",
            "lineage init --origin example.com/fraud --store /srv/lineage",
        ],
        "lineage add": [
            "lineage add dataset data/raw.csv --name raw --uri s3://bank/raw.csv",
            "lineage add dataset data/clean --name train --from transform:clean",
        ],
        "lineage add dataset": [
            "lineage add dataset data/raw.csv --name raw --uri s3://bank/raw.csv",
            "lineage add dataset data/clean --name train --from transform:clean",
        ],
        "lineage record": [
            "lineage record run --name train-fraud --input dataset:train --param lr=0.1 --metric auc=0.93",
            "lineage record model --name fraud --file model.pkl --run run:train-fraud",
        ],
        "lineage record transform": [
            "lineage record transform --name clean --command \"python clean.py\" --input dataset:raw --param drop_na=true",
            "lineage record transform --name clean --input dataset:raw --code-from clean.py --json",
        ],
        "lineage record run": [
            "lineage record run --name train-fraud --input dataset:train --param lr=0.1 --metric auc=0.93 --status succeeded",
            "lineage record run --name train-fraud --input dataset:train --code-from train.py",
        ],
        "lineage record model": [
            "lineage record model --name fraud --file model.pkl --run run:train-fraud --format pickle",
            "lineage record model --name fraud --digest sha256:5481aac5f0e3c9d1b2a4e6f8a0c2e4f6a8b0d2e4f6a8c0e2f4a6b8d0e2f4a6c8 --uri s3://models/fraud.onnx",
        ],
        "lineage record deployment": [
            "lineage record deployment --model model:fraud@1 --environment prod --endpoint https://api.example/fraud",
            "lineage record deployment --model model:fraud@1 --environment prod --action retire",
        ],
        "lineage record approval": [
            "lineage record approval --model model:fraud@1 --approver carol --purpose production --reason \"AUC 0.93\"",
            "lineage record approval --from-json approval.json",
        ],
        "lineage record prediction": [
            "lineage record prediction --id pred-8812 --deployment deployment:fraud/prod --input-json '{\"amount\": 999}' --output '{\"label\": \"fraud\"}'",
            "lineage record prediction --id chat-17 --model model:assistant@3 --input-file prompt.txt --output-payload-file response.txt --output '{\"tokens\": 812}'",
        ],
        "lineage record review": [
            "lineage record review --prediction pred-8812 --reviewer dave --decision override --output '{\"label\": \"legit\"}' --reason \"customer proved identity\"",
            "lineage record review --prediction pred-8812 --reviewer dave --decision confirm --reason \"pattern matches known fraud\"",
        ],
        "lineage ingest": [
            "lineage ingest predictions.ndjson",
            "tail -f serving.log | lineage ingest - --skip-invalid --rejects rejected.ndjson",
        ],
        "lineage show": [
            "lineage show pred-8812",
            "lineage show model:fraud@1 --json",
        ],
        "lineage log": [
            "lineage log",
            "lineage log --kind model -n 5 --json",
        ],
        "lineage trace": [
            "lineage trace pred-8812",
            "lineage trace pred-8812 --json",
            "lineage trace pred-8812 --format dot > pred-8812.dot   # render with Graphviz: dot -Tsvg",
        ],
        "lineage verify": [
            "lineage verify",
            "lineage verify --against checkpoint.txt",
        ],
        "lineage serve": [
            "lineage serve",
            "lineage serve --listen 127.0.0.1:8470 --max-body 67108864",
            "lineage serve --listen 0.0.0.0:8443 --tls-cert fullchain.pem --tls-key privkey.pem",
            "lineage serve --oidc-issuer https://idp.example.com --oidc-audience lineage --oidc-jwks jwks.json",
            "lineage serve --monitor-interval 300 --webhook https://hooks.slack.com/services/T0/B0/XXXX --slack",
        ],
        "lineage token": [
            "lineage token create --name fraud-service --role ingest",
            "lineage token list",
        ],
        "lineage token create": [
            "lineage token create --name fraud-service --role ingest",
            "lineage token create --name alice --role auditor --expires 90d",
        ],
        "lineage token list": ["lineage token list", "lineage token list --json"],
        "lineage token revoke": ["lineage token revoke alice", "lineage token list && lineage token revoke fraud-service"],
        "lineage run": [
            "lineage run --input data/train.csv --model fraud=model.pkl --param lr=0.1 -- python train.py",
            "lineage run --name prepare --input data/raw.csv --output clean=data/clean -- python clean.py",
        ],
        "lineage metric": ["lineage metric auc=0.93 f1=0.81", "lineage metric accuracy=0.91 loss=0.212"],
        "lineage gate": [
            "lineage gate model.pkl --policy policy.yaml",
            "lineage gate model:fraud@1 --policy policy.yaml --github",
        ],
        "lineage prove": [
            "lineage prove pred-8812 > pred-8812.json",
            "lineage prove model:fraud@1 > fraud-1.json",
            "lineage prove pred-8812 --format tlog-proof > pred-8812.tlog-proof",
        ],
        "lineage verify-proof": [
            "lineage verify-proof pred-8812.json --key fraud.pub",
            "lineage verify-proof pred-8812.json --key fraud.pub --explain",
            "lineage verify-proof pred-8812.json --key fraud.pub --payload pred-8812.input.json",
            "lineage verify-proof pred-8812.json --key fraud.pub --witness-key w1.pub --witness-key w2.pub --quorum 2",
        ],
        "lineage checkpoint": [
            "lineage checkpoint > checkpoint.txt",
            "lineage checkpoint compare a.txt b.txt --key fraud.pub",
        ],
        "lineage checkpoint show": ["lineage checkpoint show > checkpoint.txt", "lineage checkpoint show --json"],
        "lineage checkpoint proof": [
            "lineage checkpoint proof checkpoint.txt > consistency.txt",
            "lineage checkpoint proof - < checkpoint.txt",
        ],
        "lineage checkpoint compare": [
            "lineage checkpoint compare a.txt b.txt --key fraud.pub",
            "lineage checkpoint compare a.txt b.txt --key fraud.pub --proof consistency.txt",
        ],
        "lineage key": ["lineage key show > fraud.pub", "lineage key trust partner.pub"],
        "lineage key show": ["lineage key show > fraud.pub", "lineage key show --fingerprint", "lineage key show --json"],
        "lineage key generate": ["lineage key generate", "lineage key generate && lineage key show > fraud-2027.pub"],
        "lineage key trust": ["lineage key trust partner.pub", "lineage key trust example.com/fraud+a0a6cb61+AVrHJNwrfvuW1DnsE+IK5M088scmzgzWU8aCJhOHHKFT"],
        "lineage erase": [
            "lineage erase --subject cust-4411 --reason \"GDPR Art. 17 request #4411\" --policy gdpr-17",
            "lineage erase --prediction pred-8812 --reason \"customer request\" --dry-run",
            "lineage erase --query='--deployment deployment:fraud/prod --until 2026-01-01' --reason \"test traffic\"",
        ],
        "lineage hold": [
            "lineage hold add --deployment deployment:fraud/prod --reason \"matter 2026-44\"",
            "lineage hold list",
        ],
        "lineage hold add": [
            "lineage hold add --deployment deployment:fraud/prod --reason \"matter 2026-44\"",
            "lineage hold add --subject cust-4411 --reason \"complaint 17\"",
        ],
        "lineage hold release": [
            "lineage hold release sha256:decb8fc88a24 --reason \"matter closed\"",
            "lineage hold list --json",
        ],
        "lineage hold list": [
            "lineage hold list",
            "lineage hold list --json",
        ],
        "lineage retention": [
            "lineage retention apply --dry-run",
            "lineage retention apply",
        ],
        "lineage retention apply": [
            "lineage retention apply --dry-run",
            "lineage retention apply --json",
        ],
        "lineage payload": [
            "lineage payload export pred-8812 -o pred-8812.input.json",
            "lineage payload export chat-17 --field outputPayload -o chat-17.response.json",
        ],
        "lineage clone": [
            "lineage clone git@example.com:ml/lineage.git --key-fingerprint SHA256:T1X0T9DO9b5gY7ziVkjd1BvwxQ4iYn3qwGbpj9CHEUo",
            "lineage clone file:///srv/lineage.git audit",
        ],
        "lineage remote": [
            "lineage remote add origin git@example.com:ml/lineage.git",
            "lineage remote list --json",
        ],
        "lineage remote add": [
            "lineage remote add origin git@example.com:ml/lineage.git",
            "lineage remote add backup /mnt/backup/lineage.git",
        ],
        "lineage remote list": [
            "lineage remote list",
            "lineage remote list --json",
        ],
        "lineage remote remove": [
            "lineage remote remove backup",
            "lineage remote remove origin && lineage remote add origin ssh://git.example.com/ml/lineage.git",
        ],
        "lineage push": [
            "lineage push",
            "lineage push backup --json",
        ],
        "lineage pull": [
            "lineage pull",
            "lineage pull origin --json",
            "LINEAGE_TOKEN=lin_... lineage pull --payloads https://lineage.example.com:8470",
        ],
        "lineage witness": [
            "lineage witness init /srv/witness --name witness.example.org/w1",
            "lineage witness add https://witness.example.org/w1 --key witness.pub",
        ],
        "lineage witness init": [
            "lineage witness init /srv/witness --name witness.example.org/w1",
            "lineage witness init /srv/witness --name witness.example.org/w1 > witness.pub",
        ],
        "lineage witness serve": [
            "lineage witness serve /srv/witness --log fraud.pub --listen 127.0.0.1:8471",
            "lineage witness serve /srv/witness --log fraud.pub --log churn.pub",
        ],
        "lineage witness add": [
            "lineage witness add https://witness.example.org/w1 --key witness.pub",
            "lineage witness add http://127.0.0.1:8471 --key witness.example.org/w1+2c7e1079+BPL8nhZ0vey7khPlGompgnopkHTDT81UzfSYfg8fIG7H",
        ],
        "lineage witness list": ["lineage witness list", "lineage witness list --json"],
        "lineage witness remove": ["lineage witness remove witness.example.org/w1", "lineage witness list && lineage witness remove witness.example.org/w2"],
        "lineage cosign": ["lineage cosign", "lineage cosign --json"],
        "lineage monitor": [
            "lineage monitor",
            "lineage monitor --dry-run --json",
            "lineage monitor --rule score-psi --fail-on-alert",
            "lineage monitor --webhook https://hooks.slack.com/services/T0/B0/XXXX --slack",
            "lineage monitor --exec 'logger -t lineage-alert'",
        ],
        "lineage alert": ["lineage alert list", "lineage alert ack sha256:5e1f --reason \"seasonal shift; retraining\""],
        "lineage alert list": ["lineage alert list", "lineage alert list --all --json"],
        "lineage alert ack": [
            "lineage alert ack sha256:5e1f --reason \"seasonal shift; retraining\"",
            "lineage alert ack sha256:5e1f0c --reason \"false alarm: a test client\" --actor dave@example.com",
        ],
        "lineage payload compact": [
            "lineage payload compact",
            "lineage payload compact --json",
        ],
        "lineage payload export": [
            "lineage payload export pred-8812 -o pred-8812.input.json",
            "lineage payload export pred-8812 --field outputPayload > response.json",
        ],
        "lineage config": ["lineage config access-log", "lineage config access-log on"],
        "lineage config access-log": ["lineage config access-log on", "lineage show pred-8812 --purpose \"customer dispute 8812\""],
        "lineage query": [
            "lineage query --kind prediction --model model:fraud@1 --since 90d --csv > served.csv",
            "lineage query --kind access --actor alice --since 7d",
            "lineage query --kind prediction --where caller=web-checkout --json",
        ],
        "lineage impact": ["lineage impact dataset:raw", "lineage impact dataset:raw --json"],
        "lineage diff": ["lineage diff model:fraud@1 model:fraud@2", "lineage diff model:fraud@1 model:fraud@2 --json"],
        "lineage export": [
            "lineage export --format openlineage > events.ndjson",
            "lineage export --format prov pred-8812 > pred-8812.prov.json",
            "lineage export --format mermaid pred-8812",
            "lineage export tiles /srv/www/lineage",
        ],
        "lineage export graph": [
            "lineage export --format openlineage > events.ndjson",
            "lineage export graph --format dot pred-8812 | dot -Tsvg > pred-8812.svg",
        ],
        "lineage export tiles": [
            "lineage export tiles /srv/www/lineage",
            "lineage export tiles tiles && python3 -m http.server --directory tiles",
        ],
        "lineage import": [
            "lineage import dvc dvc.lock",
            "lineage import mlflow --tracking-uri sqlite:///mlflow.db",
        ],
        "lineage import mlflow": ["lineage import mlflow --tracking-uri sqlite:///mlflow.db", "lineage import mlflow --tracking-uri mlruns.db --json"],
        "lineage import dvc": ["lineage import dvc dvc.lock", "lineage import dvc dvc.lock --skip-stale"],
        "lineage reindex": ["lineage reindex", "lineage reindex --accept-rewrite --actor carol@example.com"],
        "lineage session": [
            "printf '%s\\n' '[\"log\", \"-n\", \"1\"]' | lineage session",
            "lineage session < commands.ndjson > results.ndjson",
        ],
        "lineage help": ["lineage help trace", "lineage help record run"],
    ]

    /// `help` (ArgumentParser's text for the command at `path`) followed by its EXAMPLES section.
    static func appending(to help: String, path: [String]) -> String {
        guard let examples = byCommand[path.joined(separator: " ")], !examples.isEmpty else { return help }
        var text = help
        while text.hasSuffix("\n") { text.removeLast() }
        return text + "\n\nEXAMPLES:\n" + examples.map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
}
