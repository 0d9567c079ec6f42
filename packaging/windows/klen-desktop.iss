; Inno Setup 6 script of the Klen Desktop installer for Windows (x64).
; Build on Windows, from the repository root, after the PyInstaller one-folder build:
;   .venv\Scripts\python packaging\build_icons.py build\icons
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\klen-desktop.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\klen-desktop.iss
; Output: dist\klen-desktop-<version>-windows-x64-setup.exe. It installs per user by default (no admin rights);
; the setup offers an all-users install. Relative paths below are relative to this file's folder.

#ifndef AppVersion
  #error Pass the app version: iscc /DAppVersion=0.1.0 packaging\windows\klen-desktop.iss
#endif
#define AppName "Klen Desktop"
#define AppExe "klen-desktop.exe"
#define BuildDir "..\..\dist\klen-desktop"
#define IconFile "..\..\build\icons\klen-desktop.ico"

[Setup]
AppId={{4B0E6F0C-5D1A-4E7B-9C55-2F1A7D3C8E41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Klen Desktop developers
AppPublisherURL=https://docs.klen.ai
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=klen-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
LicenseFile=..\..\LICENSE
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The tray app keeps running after its windows close: let Setup close it through the Restart Manager.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "autostart"; Description: "Start {#AppName} when I sign in"; GroupDescription: "Start-up:"

[Files]
Source: "{#BuildDir}\{#AppExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The same Run value the app's "start at sign-in" setting writes (klen_desktop/autostart.py, RUN_VALUE_NAME),
; so the setting shows what Setup chose and either can turn it off.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "KlenDesktop"; ValueData: """{app}\{#AppExe}"""; Tasks: autostart; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python byte-code caches the frozen app may write next to itself; the user's calendar cache is kept.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
