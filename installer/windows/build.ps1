# Builds the SES bundle (PyInstaller) and its Windows installer (Inno Setup 6) on a Windows PC with Python 3.11
# and Inno Setup 6 installed. Run from any folder:
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1
# Output: dist\ses\ (SES.exe, ses.com) and dist\ses-<version>-windows-x64.exe
param(
    [string]$Python = "py",
    [string]$PythonArgs = "-3.11",
    [string]$Iscc = ""
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "Falló: $Exe $($Arguments -join ' ') (código $LASTEXITCODE)" }
}

# 1. build environment
if (-not (Test-Path ".venv-build\Scripts\python.exe")) {
    Invoke-Checked $Python @($PythonArgs, "-m", "venv", ".venv-build")
}
$Py = Join-Path $Root ".venv-build\Scripts\python.exe"
Invoke-Checked $Py @("-m", "pip", "install", "-q", "-e", ".[build]")
$Version = (& $Py -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])").Trim()
Write-Host "== SES $Version"

# 2. bundle
$t0 = Get-Date
Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", "dist", "--workpath",
                     "build\pyinstaller", "installer\ses.spec")
Write-Host ("Paquete construido en {0:N0} s" -f ((Get-Date) - $t0).TotalSeconds)

# 3. checks of the bundle in a fresh data folder (spaces and accents in the path on purpose)
$Check = Join-Path $env:TEMP ("ses verificación " + [guid]::NewGuid().ToString("N").Substring(0, 8))
$env:SES_DATA_DIR = Join-Path $Check "Documentos de María"
$env:QT_QPA_PLATFORM = "offscreen"
try {
    Invoke-Checked "dist\ses\ses.com" @("--version")
    Invoke-Checked "dist\ses\ses.com" @("demo")
    Invoke-Checked "dist\ses\ses.com" @("avance", "--periodo", "2026-10", "--json") | Out-Null
    Invoke-Checked "dist\ses\ses.com" @("exportar", "avance", "--periodo", "2026-10", "--salida", (Join-Path $Check "avance octubre.xlsx"))
    Invoke-Checked "dist\ses\ses.com" @("informe", "--periodo", "2026-10", "--pdf", (Join-Path $Check "informe.pdf"))
    $env:SES_SALIR_TRAS_MS = "2000"
    $p = Start-Process -FilePath "dist\ses\SES.exe" -ArgumentList @("abrir", "`"$($env:SES_DATA_DIR)\ses.db`"", "--usuario", "admin") -Wait -PassThru
    if ($p.ExitCode -ne 0) { throw "La ventana no se abrió y cerró limpiamente (código $($p.ExitCode))" }
} finally {
    Remove-Item Env:SES_DATA_DIR, Env:QT_QPA_PLATFORM, Env:SES_SALIR_TRAS_MS -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $Check -ErrorAction SilentlyContinue
}

# 4. installer
if (-not $Iscc) {
    $candidates = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                    "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe")
    $Iscc = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $Iscc) { throw "No se encontró ISCC.exe de Inno Setup 6; indíquelo con -Iscc <ruta>" }
Invoke-Checked $Iscc @("/Q", "/DAppVersion=$Version", "installer\windows\ses.iss")
Write-Host "Instalador: dist\ses-$Version-windows-x64.exe"
