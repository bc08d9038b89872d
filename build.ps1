# KvActors build driver for Windows (same verbs as build.sh):
#   ./build.ps1            restore, build Release, publish executables to artifacts/bin/
#   ./build.ps1 test       build and run every test project; ends with "N passed, N failed, N skipped"
#   ./build.ps1 bench NAME run one benchmark and print `name: value unit` lines
#   ./build.ps1 cluster    start a local 3-node cluster (seed 4053, members 4054, 4055; RESP 6379-6381); Ctrl+C stops it.
#                          Each node keeps its data in data/<node> across restarts; --fresh wipes data/ first.
#   ./build.ps1 clean      remove build outputs
param([string]$Verb = "", [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @())
$ErrorActionPreference = "Stop"
$Root = $PSScriptRoot
$Artifacts = Join-Path $Root "artifacts"
$Configuration = if ($env:CONFIGURATION) { $env:CONFIGURATION } else { "Release" }
$env:DOTNET_CLI_TELEMETRY_OPTOUT = "1"; $env:DOTNET_NOLOGO = "1"

function Fail([string]$Message) { Write-Error "build.ps1: $Message"; exit 2 }

function Require-Sdk {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
        Fail "the .NET SDK is not installed: install the .NET 10 SDK (https://dot.net) and run this again."
    }
    if (-not (dotnet --list-sdks | Where-Object { $_ -match '^10\.' })) {
        Fail "the .NET 10 SDK is missing: install the .NET 10 SDK and run this again."
    }
}

$Executables = @(@{ Dir = "src/KvActors.Node"; Name = "kvnode" }, @{ Dir = "src/KvActors.Cli"; Name = "kv" })

function Build { dotnet build (Join-Path $Root "KvActors.sln") -c $Configuration -nologo -clp:ErrorsOnly; if ($LASTEXITCODE) { exit $LASTEXITCODE } }

function Publish {
    New-Item -ItemType Directory -Force (Join-Path $Artifacts "bin") | Out-Null
    foreach ($e in $Executables) {
        $dir = Join-Path $Root $e.Dir
        if (-not (Test-Path $dir)) { continue }
        $out = Join-Path $Artifacts "bin"
        dotnet publish $dir -c $Configuration -nologo -clp:ErrorsOnly -o $out  # the project names its assembly
        if ($LASTEXITCODE) { exit $LASTEXITCODE }
    }
}

function Run-Tests {
    Build
    $results = Join-Path $Artifacts "test-results"
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    dotnet test (Join-Path $Root "KvActors.sln") -c $Configuration --no-build -nologo --logger trx `
        --logger "console;verbosity=normal" --results-directory $results --blame-hang-timeout 5m @Rest
    $status = $LASTEXITCODE
    $passed = 0; $failed = 0; $skipped = 0; $files = 0
    foreach ($trx in Get-ChildItem $results -Filter *.trx -ErrorAction SilentlyContinue) {
        $files++
        $c = ([xml](Get-Content $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$c.passed
        $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        $skipped += [int]$c.notExecuted
    }
    Write-Output "$passed passed, $failed failed, $skipped skipped"
    if ($status -ne 0 -or $failed -ne 0) { exit 1 }
    if ($files -eq 0 -or $passed -eq 0) { Write-Error "build.ps1: no test ran."; exit 1 }
}

function Bench {
    if ($Rest.Count -lt 1) { Fail "usage: ./build.ps1 bench NAME." }
    dotnet build (Join-Path $Root "tests/KvActors.Benchmarks") -c Release -nologo -clp:ErrorsOnly
    if ($LASTEXITCODE) { exit $LASTEXITCODE }
    Write-Output "machine: $([Environment]::ProcessorCount) cores, $([Environment]::OSVersion), .NET $(dotnet --version)"
    Write-Output "command: ./build.ps1 bench $($Rest -join ' ')"
    dotnet (Join-Path $Root "tests/KvActors.Benchmarks/bin/Release/net10.0/KvActors.Benchmarks.dll") @Rest
    exit $LASTEXITCODE
}

# A local cluster from hocon/seed.conf and hocon/member.conf. Each node's log lines carry its
# name ("[seed]"). Ctrl+C reaches every node through the console (graceful leave); the finally
# block then waits for them and, on Linux/macOS, also sends SIGTERM to any still running.
function Cluster {
    $fresh = $false
    foreach ($arg in $Rest) {
        if ($arg -eq "--fresh") { $fresh = $true } else { Fail "unknown cluster option '$arg': use ./build.ps1 cluster [--fresh]." }
    }
    $exe = Join-Path $Artifacts "bin/kvnode$(if ($IsWindows -or $env:OS -eq 'Windows_NT') { '.exe' } else { '' })"
    Publish # every time (incremental), so a changed tree never starts a stale kvnode
    $data = Join-Path $Root "data"
    if ($fresh -and (Test-Path $data)) {
        Remove-Item -Recurse -Force $data
        Write-Host "build.ps1: --fresh: removed data/ (every node's keys, log and ring)."
    }
    $nodes = @(
        @("--name", "seed", "--config", "hocon/seed.conf", "--data-dir", "data/seed"),
        @("--name", "member-1", "--config", "hocon/member.conf", "--port", "4054", "--data-dir", "data/member-1"),
        @("--name", "member-2", "--config", "hocon/member.conf", "--port", "4055", "--resp-port", "6381", "--data-dir", "data/member-2"))
    $procs = foreach ($n in $nodes) { Start-Process -FilePath $exe -ArgumentList $n -WorkingDirectory $Root -NoNewWindow -PassThru }
    Write-Host "build.ps1: cluster started (seed 127.0.0.1:4053, members 4054, 4055; Redis clients on 6379, 6380, 6381); Ctrl+C stops it."
    try { $procs | Wait-Process }
    finally {
        foreach ($p in $procs) { if (-not $p.HasExited -and -not ($IsWindows -or $env:OS -eq 'Windows_NT')) { kill -TERM $p.Id } }
        foreach ($p in $procs) { if (-not $p.WaitForExit(60000)) { Stop-Process -Id $p.Id -Force } }
    }
}

Require-Sdk
switch ($Verb) {
    ""      { dotnet restore (Join-Path $Root "KvActors.sln") -nologo; Build; Publish }
    "test"  { Run-Tests }
    "bench" { Bench }
    "cluster" { Cluster }
    "clean" {
        if (Test-Path $Artifacts) { Remove-Item -Recurse -Force $Artifacts }
        Get-ChildItem (Join-Path $Root "src"), (Join-Path $Root "tests") -Directory -Recurse -Include bin, obj | Remove-Item -Recurse -Force
    }
    default { Fail "unknown verb '$Verb': use no verb, test, bench NAME, cluster or clean." }
}
