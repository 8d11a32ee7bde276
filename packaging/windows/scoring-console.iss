; Inno Setup 6 script: a Windows installer for the PyInstaller bundle.
;   pyinstaller --noconfirm packaging\pyinstaller\scoring-console.spec   (after make_icons.py)
;   iscc /DAppVersion=0.1.0 packaging\windows\scoring-console.iss
; Output: dist\ScoringConsole-<version>-setup.exe. Installs dist\scoring-console\ (the three
; programs and _internal\) to Program Files, a Start-menu entry for the console with the
; app icon, an optional desktop icon, and an uninstaller (Apps & features).
; Built and tested by .github/workflows/package.yml (windows-latest); not on Linux.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Scoring Console"
#define Root "..\.."

[Setup]
; AppId identifies the product across versions (upgrades replace it); never change it.
AppId={{7C3B9E2A-5D41-4F0E-9B6A-2E8D3C1F4A57}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Scoring Console developers
AppPublisherURL=https://github.com/scoring-console/scoring-console
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
LicenseFile={#Root}\LICENSE
OutputDir={#Root}\dist
OutputBaseFilename=ScoringConsole-{#AppVersion}-setup
SetupIconFile={#Root}\build\icons\scoring-console.ico
UninstallDisplayIcon={app}\scoring-console.exe
UninstallDisplayName={#AppName}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\scoring-console\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#Root}\build\icons\scoring-console.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\scoring-console.exe"; IconFilename: "{app}\scoring-console.ico"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\scoring-console.exe"; IconFilename: "{app}\scoring-console.ico"; Tasks: desktopicon

[Run]
Filename: "{app}\scoring-console.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
