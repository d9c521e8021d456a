; Inno Setup 6 script of the SES installer for Windows (per-user: no administrator rights).
; Built by installer\windows\build.ps1, which passes the version from pyproject.toml:
;   ISCC.exe /DAppVersion=0.1.0 installer\windows\ses.iss
; Input: the PyInstaller bundle in dist\ses (SES.exe windowed, ses.com console). Output: dist\ses-<version>-windows-x64.exe
; Uninstalling removes the program only: the data folder (%LOCALAPPDATA%\SistemaEstrategicoSeguimiento\SES, or
; datos\ beside the program in portable mode) is kept, because Inno Setup deletes only the files it installed.

#ifndef AppVersion
  #error Falta /DAppVersion=<versión> (build.ps1 la toma de pyproject.toml)
#endif

[Setup]
AppId={{5E5C0B1A-7F2D-4C3B-9A41-2D6E8B1F0C12}
AppName=SES — Sistema Estratégico de Seguimiento
AppVerName=SES {#AppVersion}
AppVersion={#AppVersion}
VersionInfoVersion={#AppVersion}
AppPublisher=Proyecto SES
DefaultDirName={autopf}\SES
DefaultGroupName=SES
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=ses-{#AppVersion}-windows-x64
SetupIconFile=..\..\resources\ses.ico
UninstallDisplayIcon={app}\SES.exe
UninstallDisplayName=SES — Sistema Estratégico de Seguimiento
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Languages]
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\ses\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Sistema Estratégico de Seguimiento"; Filename: "{app}\SES.exe"; IconFilename: "{app}\SES.exe"
Name: "{group}\{cm:UninstallProgram,SES}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Sistema Estratégico de Seguimiento"; Filename: "{app}\SES.exe"; Tasks: desktopicon

[Registry]
; «Abrir paquete»: a double-click on a .ses package opens it in SES (HKA = the user's classes when per-user).
Root: HKA; Subkey: "Software\Classes\.ses"; ValueType: string; ValueName: ""; ValueData: "SES.Paquete"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\SES.Paquete"; ValueType: string; ValueName: ""; ValueData: "Paquete de SES"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\SES.Paquete\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\SES.exe,0"
Root: HKA; Subkey: "Software\Classes\SES.Paquete\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\SES.exe"" ""%1"""

[Run]
Filename: "{app}\SES.exe"; Description: "{cm:LaunchProgram,SES}"; Flags: nowait postinstall skipifsilent
