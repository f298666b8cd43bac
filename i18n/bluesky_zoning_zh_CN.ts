<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BlueSkyZoning</name>
    <message>
        <source>Open panel</source>
        <translation>打开面板</translation>
    </message>
</context>
</TS>
